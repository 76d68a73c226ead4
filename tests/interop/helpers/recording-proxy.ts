/**
 * A pass-through HTTP proxy that records every exchange between a foreign
 * client and the server: the request (method, session id, Last-Event-ID,
 * JSON-RPC body) and the answer (status, headers, the body as it streams).
 * Tests assert on what the server sent from this record, whatever the client
 * then made of it.
 */
import { EventEmitter, once } from 'node:events'
import { createServer, request as httpRequest, type IncomingHttpHeaders } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface Exchange {
  method: string
  /** The request path (the MCP endpoint, or e.g. an OAuth discovery path a client probes). */
  path: string
  sessionId?: string
  lastEventId?: string
  /** The parsed JSON-RPC body of a POST (a message or a batch). */
  body?: unknown
  status?: number
  headers?: IncomingHttpHeaders
  /** The response body so far (SSE frames or JSON), appended as it streams. */
  text: string
  done: boolean
}

/** The JSON-RPC method(s) of a POST, `GET`/`DELETE` otherwise, or `response` for a client's answer to a server request. */
export function label(exchange: Exchange): string {
  if (exchange.method !== 'POST') return exchange.method
  const messages = (Array.isArray(exchange.body) ? exchange.body : [exchange.body]) as Array<{ method?: string }>
  return messages.map(m => m?.method ?? 'response').join(',')
}

/** The JSON-RPC error of an answer (a JSON body, or the first SSE data frame), if it is one. */
export function rpcError(exchange: Exchange): { code?: number; message?: string; data?: { code?: string } } | undefined {
  const text = exchange.text.trim()
  const json = text.startsWith('{') ? text : /^data: (\{.*\})$/m.exec(text)?.[1]
  try {
    return json ? (JSON.parse(json) as { error?: ReturnType<typeof rpcError> }).error : undefined
  } catch {
    return undefined
  }
}

/**
 * Starts the proxy on a free loopback port in front of `target` (an http URL);
 * `close()` cuts every connection.
 *
 * @example
 * const proxy = await startRecordingProxy(serverUrl)
 * await proxy.waitFor(e => e.method === 'GET' && e.status === 200)
 */
export async function startRecordingProxy(target: string) {
  const upstream = new URL(target)
  const log: Exchange[] = []
  const events = new EventEmitter()
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const raw = Buffer.concat(chunks)
      const header = (name: string) => [req.headers[name]].flat()[0]
      const exchange: Exchange = { method: req.method ?? '', path: (req.url ?? '').split('?')[0]!, sessionId: header('mcp-session-id'), lastEventId: header('last-event-id'), text: '', done: false }
      try {
        if (raw.length) exchange.body = JSON.parse(raw.toString('utf8'))
      } catch {
        exchange.body = raw.toString('utf8')
      }
      log.push(exchange)
      const up = httpRequest({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: { ...req.headers, host: upstream.host } }, answer => {
        exchange.status = answer.statusCode
        exchange.headers = answer.headers
        res.writeHead(answer.statusCode ?? 502, answer.headers)
        res.flushHeaders()
        events.emit('change')
        answer.on('data', (c: Buffer) => {
          exchange.text += c.toString('utf8')
          res.write(c)
          events.emit('change')
        })
        answer.on('end', () => {
          exchange.done = true
          res.end()
          events.emit('change')
        })
        answer.on('error', () => res.destroy())
        res.on('close', () => answer.destroy())
      })
      up.on('error', error => {
        exchange.status = 502
        exchange.text = String(error)
        exchange.done = true
        if (!res.headersSent) res.writeHead(502).end()
        events.emit('change')
      })
      up.end(raw)
    })
  })
  server.listen(0, '127.0.0.1')
  await Promise.race([once(server, 'listening'), once(server, 'error').then(([e]) => Promise.reject(e))])
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}${upstream.pathname}`,
    log,
    /** Resolves with the first exchange (already seen or coming) for which `match` holds; undefined after `ms`. */
    waitFor(match: (e: Exchange) => boolean, ms = 5_000): Promise<Exchange | undefined> {
      return new Promise(resolve => {
        const check = () => {
          const found = log.find(match)
          if (!found) return
          clearTimeout(timer)
          events.off('change', check)
          resolve(found)
        }
        const timer = setTimeout(() => {
          events.off('change', check)
          resolve(undefined)
        }, ms)
        events.on('change', check)
        check()
      })
    },
    close: async () => {
      server.closeAllConnections()
      await new Promise<void>(resolve => server.close(() => resolve()))
    }
  }
}

export type RecordingProxy = Awaited<ReturnType<typeof startRecordingProxy>>
