import { once } from 'node:events'
import { connect, type Socket } from 'node:net'
import { onTestFinished } from 'vitest'

export interface RawResponse {
  status: number
  headers: Record<string, string>
  body: string
}

/** Opens a plain TCP connection to a loopback port; destroyed when the test ends. */
export async function rawConnect(port: number): Promise<Socket> {
  const socket = connect(port, '127.0.0.1')
  onTestFinished(() => void socket.destroy())
  await Promise.race([once(socket, 'connect'), once(socket, 'error').then(([e]) => Promise.reject(e))])
  return socket
}

/**
 * Writes one HTTP/1.1 request on `socket` (kept alive) and reads exactly one
 * response: by Content-Length or by chunked framing.
 */
export async function rawRequest(socket: Socket, request: { method: string; path: string; headers?: Record<string, string>; body?: string }): Promise<RawResponse> {
  const body = request.body ?? ''
  const lines = [`${request.method} ${request.path} HTTP/1.1`, 'host: 127.0.0.1', `content-length: ${Buffer.byteLength(body)}`]
  for (const [k, v] of Object.entries(request.headers ?? {})) lines.push(`${k}: ${v}`)
  socket.write(`${lines.join('\r\n')}\r\n\r\n${body}`)
  let buffer = Buffer.alloc(0)
  return new Promise<RawResponse>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk])
      const parsed = tryParse(buffer)
      if (parsed) {
        cleanup()
        resolve(parsed)
      }
    }
    const onClose = () => {
      cleanup()
      reject(new Error('socket closed before a full response'))
    }
    const cleanup = () => {
      socket.off('data', onData)
      socket.off('close', onClose)
    }
    socket.on('data', onData)
    socket.on('close', onClose)
  })
}

function tryParse(buffer: Buffer): RawResponse | undefined {
  const end = buffer.indexOf('\r\n\r\n')
  if (end < 0) return undefined
  const [statusLine, ...headerLines] = buffer.subarray(0, end).toString('latin1').split('\r\n')
  const headers: Record<string, string> = {}
  for (const line of headerLines) {
    const i = line.indexOf(':')
    headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim()
  }
  const status = Number(statusLine!.split(' ')[1])
  const rest = buffer.subarray(end + 4)
  if (headers['transfer-encoding'] === 'chunked') {
    let offset = 0
    const parts: Buffer[] = []
    for (;;) {
      const lineEnd = rest.indexOf('\r\n', offset)
      if (lineEnd < 0) return undefined
      const size = parseInt(rest.subarray(offset, lineEnd).toString('latin1'), 16)
      if (size === 0) return rest.length >= lineEnd + 4 ? { status, headers, body: Buffer.concat(parts).toString('utf8') } : undefined
      if (rest.length < lineEnd + 2 + size + 2) return undefined
      parts.push(rest.subarray(lineEnd + 2, lineEnd + 2 + size))
      offset = lineEnd + 2 + size + 2
    }
  }
  const length = Number(headers['content-length'] ?? 0)
  return rest.length >= length ? { status, headers, body: rest.subarray(0, length).toString('utf8') } : undefined
}
