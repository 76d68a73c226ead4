import { once } from 'node:events'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { onTestFinished } from 'vitest'

export interface Listening {
  server: Server
  port: number
  url: string
}

/**
 * Starts a node:http server on an ephemeral loopback port; rejects on a bind
 * error instead of waiting for the test timeout. Registers its own cleanup
 * (`register`: a concurrent test passes its context's `onTestFinished`):
 * idle keep-alive sockets are closed first, or `close()` would wait on them.
 */
export async function listen(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
  options: { keepAliveTimeout?: number; path?: string; register?: (cleanup: () => Promise<void>) => void } = {}
): Promise<Listening> {
  const server = createServer(handler)
  if (options.keepAliveTimeout !== undefined) server.keepAliveTimeout = options.keepAliveTimeout
  ;(options.register ?? onTestFinished)(() => closeServer(server))
  server.listen(0, '127.0.0.1')
  await Promise.race([once(server, 'listening'), once(server, 'error').then(([e]) => Promise.reject(e))])
  const { port } = server.address() as AddressInfo
  return { server, port, url: `http://127.0.0.1:${port}${options.path ?? '/mcp'}` }
}

export async function closeServer(server: Server): Promise<void> {
  if (!server.listening) return
  server.closeAllConnections()
  await new Promise<void>(resolve => server.close(() => resolve()))
}
