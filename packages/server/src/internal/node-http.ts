import type { IncomingMessage, ServerResponse } from 'node:http'

/** The web-standard view of a Node request, without its body (the manager passes the parsed body). */
export function toWebRequest(req: IncomingMessage): Request {
  const headers = new Headers()
  const raw = req.rawHeaders
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!
    // HTTP/2 pseudo-headers (":path") are not valid header names.
    if (name.charCodeAt(0) !== 58) headers.append(name, raw[i + 1]!)
  }
  let url: URL
  try {
    url = new URL(req.url ?? '/', `http://${req.headers.host ?? 'localhost'}`)
  } catch {
    url = new URL('http://localhost/')
  }
  return new Request(url, { method: req.method, headers })
}

/**
 * Writes a web `Response` to a Node response. A streaming body is pumped
 * with back-pressure; when the client goes away (`close` before the end) the
 * body is cancelled, which detaches the stream and nothing else.
 */
export async function writeWebResponse(response: Response, res: ServerResponse): Promise<void> {
  const headers: Record<string, string> = {}
  response.headers.forEach((value, key) => {
    headers[key] = value
  })
  const streaming = response.body !== null && (headers['content-type'] ?? '').startsWith('text/event-stream')
  if (!streaming) {
    const body = response.body ? Buffer.from(await response.arrayBuffer()) : undefined
    res.writeHead(response.status, headers)
    res.end(body)
    return
  }
  res.writeHead(response.status, headers)
  res.flushHeaders()
  const reader = response.body!.getReader()
  let closed = false
  const onClose = () => {
    closed = true
    reader.cancel().catch(() => {})
  }
  res.once('close', onClose)
  try {
    for (;;) {
      const { value, done } = await reader.read()
      if (done || closed) break
      if (!res.write(value)) {
        await new Promise<void>(resolve => {
          const settle = () => {
            res.off('drain', settle)
            res.off('close', settle)
            resolve()
          }
          res.on('drain', settle)
          res.on('close', settle)
        })
      }
    }
    if (!closed) res.end()
  } catch {
    res.destroy()
  } finally {
    if (!closed) res.off('close', onClose)
  }
}
