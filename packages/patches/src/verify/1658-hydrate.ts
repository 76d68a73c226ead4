import { SERVER_PACKAGE } from '../manifest.js'
import { loopback } from './loopback.js'
import { serverTransport } from './sdk-api.js'
import { ensure, type Check } from './types.js'

const SESSION = 'mcps-verify-hydrated-session'
const PROTOCOL = '2025-06-18'

/**
 * A server transport constructed with `{ session: {...} }` continues that
 * session without an `initialize` (another node, a restart): a request with
 * its id is answered, a request with another id gets 404 (typescript-sdk #1658).
 *
 * @example
 * await hydrateCheck.run(ctx) // throws a CheckFailure on an unpatched SDK
 */
export const hydrateCheck: Check = {
  slug: '1658-hydrate',
  behaviour: 'a server transport built with { session } answers that session id and 404s any other',
  async run(ctx) {
    const { signal } = ctx
    const { Transport: StreamableHTTPServerTransport, serve } = await serverTransport(ctx)
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => 'mcps-verify-unused',
      enableJsonResponse: true,
      session: { sessionId: SESSION, protocolVersion: PROTOCOL, clientInfo: { name: 'mcps-verify', version: '1.0.0' }, clientCapabilities: {} }
    })
    transport.onmessage = (message: { id?: number | string; method?: string }) => {
      if (message.method === 'ping') void transport.send({ jsonrpc: '2.0', id: message.id, result: {} }, { relatedRequestId: message.id })
    }
    await transport.start()
    const server = await loopback(serve(transport), signal)
    const ping = async (sessionId: string, id: number) => {
      const response = await fetch(server.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-protocol-version': PROTOCOL, 'mcp-session-id': sessionId },
        body: JSON.stringify({ jsonrpc: '2.0', id, method: 'ping' }),
        signal: AbortSignal.any([signal, AbortSignal.timeout(3_000)])
      })
      return { status: response.status, body: await response.text() }
    }
    try {
      const own = await ping(SESSION, 1)
      ensure(own.status === 200 && /"result"/.test(own.body), `a request for the continued session was answered ${own.status} ${own.body.slice(0, 100)}, expected 200 with the ping result`)
      const other = await ping('mcps-verify-other-session', 2)
      ensure(other.status === 404, `a request for another session id was answered ${other.status}, expected 404`)
    } finally {
      await transport.close().catch(() => {})
      await server.close()
    }
  }
}

/** Fix 1658 on `@modelcontextprotocol/server` 2.x (its web-standard transport): the same behaviour. */
export const hydrateCheckV2: Check = { ...hydrateCheck, package: SERVER_PACKAGE }
