import { SERVER_PACKAGE } from '../manifest.js'
import { loopback } from './loopback.js'
import { serverTransport } from './sdk-api.js'
import { ensure, type Check } from './types.js'

const SESSION = 'mcps-verify-lifecycle-session'
const PROTOCOL = '2025-06-18'

/**
 * A server transport's close() runs once: `onclose` fires exactly once even
 * when the handler closes again (a common clean-up) and when close() is called
 * twice, and a closed transport answers 404 (-32001) to its session id instead
 * of leaving the request open (typescript-sdk #1852 hardening; 1.30+ ships it).
 *
 * @example
 * await lifecycleCheck.run(ctx) // throws a CheckFailure on an unpatched 1.24-1.29
 */
export const lifecycleCheck: Check = {
  slug: '1852-lifecycle',
  behaviour: 'server transport close() fires onclose once, and a closed session answers 404',
  async run(ctx) {
    const { signal } = ctx
    const { Transport: StreamableHTTPServerTransport, serve } = await serverTransport(ctx)
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: () => SESSION, enableJsonResponse: true })
    transport.onmessage = (message: { id?: number | string; method?: string }) => {
      if (message.method !== 'initialize') return
      const result = { protocolVersion: PROTOCOL, capabilities: {}, serverInfo: { name: 'mcps-verify', version: '1.0.0' } }
      void transport.send({ jsonrpc: '2.0', id: message.id, result }, { relatedRequestId: message.id })
    }
    await transport.start()
    const server = await loopback(serve(transport), signal)
    const post = (body: unknown, sessionId?: string) =>
      fetch(server.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-protocol-version': PROTOCOL, ...(sessionId ? { 'mcp-session-id': sessionId } : {}) },
        body: JSON.stringify(body),
        signal: AbortSignal.any([signal, AbortSignal.timeout(3_000)])
      })
    let closes = 0
    // An onclose that closes again, as apps do when they close their McpServer; bounded so an unguarded close() cannot overflow the stack.
    transport.onclose = () => {
      if (++closes < 20) void transport.close()
    }
    try {
      const init = await post({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: PROTOCOL, capabilities: {}, clientInfo: { name: 'mcps-verify', version: '1.0.0' } } })
      await init.text()
      ensure(init.status === 200 && init.headers.get('mcp-session-id') === SESSION, `initialize was answered ${init.status} without the session id`)

      await transport.close()
      await transport.close()
      ensure(closes === 1, `onclose fired ${closes >= 20 ? '20 or more' : closes} times for one session, expected once`)

      const after = await post({ jsonrpc: '2.0', id: 2, method: 'ping' }, SESSION).then(
        async response => ({ status: response.status, body: await response.text() }),
        (error: Error) => ({ status: 0, body: error.name === 'TimeoutError' ? 'no answer within 3 s' : error.message })
      )
      ensure(after.status === 404, `a request for the closed session was answered ${after.status || 'never'} (${after.body.slice(0, 80)}), expected 404`)
    } finally {
      transport.onclose = undefined
      await server.close()
    }
  }
}

/** Fix 1852 on `@modelcontextprotocol/server` 2.x (its web-standard transport): the same behaviour. */
export const lifecycleCheckV2: Check = { ...lifecycleCheck, package: SERVER_PACKAGE }
