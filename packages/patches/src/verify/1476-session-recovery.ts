import type { IncomingMessage, ServerResponse } from 'node:http'
import { CLIENT_PACKAGE } from '../manifest.js'
import { loopback, sessionNotFound } from './loopback.js'
import { clientClasses, shown } from './sdk-api.js'
import { ensure, type Check } from './types.js'


/** Just enough of a Streamable HTTP server for the SDK `Client`, able to forget its sessions. */
function miniServer() {
  const sessions = new Set<string>()
  let issued = 0
  const json = (res: ServerResponse, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(200, { 'content-type': 'application/json', ...headers })
    res.end(JSON.stringify(body))
  }
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const sessionId = req.headers['mcp-session-id'] as string | undefined
    if (req.method !== 'POST') {
      req.resume()
      if (sessionId && !sessions.has(sessionId)) return sessionNotFound(res)
      return void res.writeHead(405).end()
    }
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const message = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { id?: number | string; method?: string; params?: { protocolVersion?: string } }
      if (message.method === 'initialize' && !sessionId) {
        const id = `mcps-verify-session-${++issued}`
        sessions.add(id)
        const result = { protocolVersion: message.params?.protocolVersion, capabilities: { tools: {} }, serverInfo: { name: 'mcps-verify', version: '1.0.0' } }
        return json(res, { jsonrpc: '2.0', id: message.id, result }, { 'mcp-session-id': id })
      }
      if (!sessionId) return void res.writeHead(400).end()
      if (!sessions.has(sessionId)) return sessionNotFound(res)
      if (message.id === undefined) return void res.writeHead(202).end()
      if (message.method === 'tools/list') return json(res, { jsonrpc: '2.0', id: message.id, result: { tools: [] } })
      json(res, { jsonrpc: '2.0', id: message.id, error: { code: -32601, message: 'Method not found' } })
    })
  }
  return { handler, forgetAll: () => sessions.clear() }
}

/**
 * With `recoverSession: true`, a session 404 makes the client transport start
 * a new session and retry the failed request once (typescript-sdk #1476).
 * The loopback server forgets every session after `initialize`; `listTools()`
 * must still succeed, on a new session.
 *
 * @example
 * await sessionRecoveryCheck.run(ctx) // throws a CheckFailure on an unpatched SDK
 */
export const sessionRecoveryCheck: Check = {
  slug: '1476-session-recovery',
  behaviour: 'with recoverSession: true the client starts a new session after a 404 and retries once',
  async run(ctx) {
    const { signal } = ctx
    const { Client, StreamableHTTPClientTransport } = await clientClasses(ctx)
    const mini = miniServer()
    const server = await loopback(mini.handler, signal)
    const recovered: Array<[string, string | undefined]> = []
    const transport = new StreamableHTTPClientTransport(server.url, {
      recoverSession: true,
      onsessionrecovered: (previous: string, next: string | undefined) => recovered.push([previous, next]),
      reconnectionOptions: { initialReconnectionDelay: 10, maxReconnectionDelay: 10, reconnectionDelayGrowFactor: 1, maxRetries: 0 }
    })
    const client = new Client({ name: 'mcps-verify', version: '1.0.0' }, { capabilities: {} })
    try {
      await client.connect(transport)
      ensure(transport.sessionId === 'mcps-verify-session-1', `initialize did not give the client the session id (it holds "${transport.sessionId}")`)
      mini.forgetAll()
      const listed = await client.listTools().then(
        () => undefined,
        (e: unknown) => e
      )
      ensure(listed === undefined, `after the server forgot the session, listTools() failed instead of recovering: ${shown(listed)}`)
      ensure(transport.sessionId === 'mcps-verify-session-2', `the client did not move to the new session (it holds "${transport.sessionId}")`)
      ensure(recovered.length === 1 && recovered[0]![0] === 'mcps-verify-session-1', `onsessionrecovered was called ${recovered.length} times, expected once`)
    } finally {
      await client.close().catch(() => {})
      await server.close()
    }
  }
}

/** Fix 005 on `@modelcontextprotocol/client` 2.x: the same behaviour. */
export const sessionRecoveryCheckV2: Check = { ...sessionRecoveryCheck, package: CLIENT_PACKAGE }
