import { once } from 'node:events'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface SeenRequest {
  method: string
  sessionId: string | undefined
}

export interface Loopback {
  url: URL
  seen: SeenRequest[]
  close(): Promise<void>
}

/**
 * A node:http server on 127.0.0.1, on a port the OS picks. Rejects on a bind
 * error instead of waiting. `close()` drops keep-alive sockets first, or it
 * would wait for them; an aborted `signal` closes it too, so a check that runs
 * out of time leaves nothing listening.
 *
 * @example
 * const server = await loopback((req, res) => res.writeHead(404).end(), ctx.signal)
 * try { ... } finally { await server.close() }
 */
export async function loopback(handler: (req: IncomingMessage, res: ServerResponse) => void, signal?: AbortSignal): Promise<Loopback> {
  const seen: SeenRequest[] = []
  const server: Server = createServer((req, res) => {
    const id = req.headers['mcp-session-id']
    seen.push({ method: req.method ?? '', sessionId: Array.isArray(id) ? id[0] : id })
    handler(req, res)
  })
  server.listen(0, '127.0.0.1')
  await Promise.race([once(server, 'listening'), once(server, 'error').then(([e]) => Promise.reject(e))])
  const { port } = server.address() as AddressInfo
  const close = () =>
    new Promise<void>(resolve => {
      if (!server.listening) return resolve()
      server.closeAllConnections()
      server.close(() => resolve())
    })
  signal?.addEventListener('abort', () => void close(), { once: true })
  return { url: new URL(`http://127.0.0.1:${port}/mcp`), seen, close }
}

/** Answers like a server that terminated (or never knew) the session: 404 with JSON-RPC error -32001. */
export function sessionNotFound(res: ServerResponse): void {
  res.writeHead(404, { 'content-type': 'application/json' })
  res.end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32001, message: 'Session not found' }, id: null }))
}
