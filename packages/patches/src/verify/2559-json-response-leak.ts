import { SDK_PACKAGE, SERVER_PACKAGE } from '../manifest.js'
import { loopback } from './loopback.js'
import { serverTransport } from './sdk-api.js'
import { ensure, type Check } from './types.js'

const SESSION = 'mcps-verify-json-session'
const PROTOCOL = '2025-06-18'

interface ServerTransport {
  sessionId?: string
  onmessage?: (message: { id?: number | string; method?: string }) => void
  start(): Promise<void>
  send(message: unknown, options?: { relatedRequestId?: number | string }): Promise<void>
  close(): Promise<void>
  handleRequest(req: unknown, res: unknown): Promise<void>
  _webStandardTransport?: { _streamMapping?: unknown }
}

/**
 * typescript-sdk #2559, JSON-response mode (`enableJsonResponse: true`):
 * an answered POST must leave no bookkeeping behind (1.25 and later kept one
 * entry per POST until the session closed), and closing the transport must
 * answer a POST still in flight with a JSON-RPC error instead of leaving it
 * open (1.25+) or ending it with an empty 200 (1.24).
 *
 * @example
 * await jsonResponseLeakCheck.run(ctx) // throws a CheckFailure on an unpatched SDK
 */
export const jsonResponseLeakCheck: Check = {
  slug: '2559-json-response-leak',
  behaviour: 'JSON-response mode retires answered POSTs and answers one in flight when the session closes',
  async run(ctx) {
    const { signal } = ctx
    const { Transport: StreamableHTTPServerTransport, serve } = await serverTransport(ctx)
    const transport: ServerTransport = new StreamableHTTPServerTransport({ sessionIdGenerator: () => SESSION, enableJsonResponse: true })
    let entered: () => void = () => {}
    const inFlight = new Promise<void>(resolve => (entered = resolve))
    transport.onmessage = message => {
      if (message.method === 'initialize') {
        void transport.send({ jsonrpc: '2.0', id: message.id, result: { protocolVersion: PROTOCOL, capabilities: {}, serverInfo: { name: 'mcps-verify', version: '1.0.0' } } }, { relatedRequestId: message.id })
      } else if (message.method === 'ping') {
        void transport.send({ jsonrpc: '2.0', id: message.id, result: {} }, { relatedRequestId: message.id })
      } else if (message.method === 'tools/call') {
        entered() // never answered: the POST stays in flight until close()
      }
    }
    await transport.start()
    const server = await loopback(serve(transport), signal)
    const post = (body: unknown, timeout = 5_000) =>
      fetch(server.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-protocol-version': PROTOCOL, ...(transport.sessionId ? { 'mcp-session-id': SESSION } : {}) },
        body: JSON.stringify(body),
        signal: AbortSignal.any([signal, AbortSignal.timeout(timeout)])
      })
    try {
      const init = await post({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: PROTOCOL, capabilities: {}, clientInfo: { name: 'mcps-verify', version: '1.0.0' } } })
      ensure(init.status === 200 && init.headers.get('mcp-session-id') === SESSION, `initialize was answered ${init.status} without the session id`)
      await init.text()
      const pong = await post({ jsonrpc: '2.0', id: 2, method: 'ping' })
      ensure(pong.status === 200, `ping was answered ${pong.status}`)
      await pong.text()

      // 1.25+: the Node transport wraps a web-standard one that holds the entries. 1.24 retires them on the response's close event.
      // v2 is the web-standard transport itself.
      const entries = (ctx.package === SDK_PACKAGE ? transport._webStandardTransport : (transport as { _streamMapping?: unknown }))?._streamMapping
      if (entries instanceof Map) ensure(entries.size === 0, `after two answered POSTs the transport still holds ${entries.size} stream entries (one per POST: the leak)`)

      const pending = post({ jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'wait', arguments: {} } }, 3_000).then(
        async response => ({ status: response.status, body: await response.text() }),
        (error: Error) => ({ status: 0, body: error.name === 'TimeoutError' ? 'no answer within 3 s' : error.message })
      )
      await inFlight
      await transport.close()
      const answer = await pending
      let parsed: { id?: unknown; error?: { code?: unknown } } | undefined
      try {
        parsed = JSON.parse(answer.body)
      } catch {
        parsed = undefined
      }
      ensure(answer.status !== 0, `closing the session left the JSON-mode POST in flight unanswered (${answer.body})`)
      ensure(parsed?.id === 3 && typeof parsed.error?.code === 'number', `closing the session answered the JSON-mode POST in flight with ${answer.status} "${answer.body.slice(0, 80)}", not a JSON-RPC error for request 3`)
    } finally {
      await transport.close().catch(() => {})
      await server.close()
    }
  }
}

/** Fix 2559 on `@modelcontextprotocol/server` 2.x (its web-standard transport): the same behaviour. */
export const jsonResponseLeakCheckV2: Check = { ...jsonResponseLeakCheck, package: SERVER_PACKAGE }
