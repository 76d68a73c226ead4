import { CLIENT_PACKAGE } from '../manifest.js'
import { loopback } from './loopback.js'
import { clientClasses } from './sdk-api.js'
import { scriptedGets, sseThenEnd } from './scripted-gets.js'
import { ensure, type Check } from './types.js'

const note = JSON.stringify({ jsonrpc: '2.0', method: 'notifications/message', params: { level: 'info', data: 'mcps-verify' } })

/**
 * A stream resumed with Last-Event-ID that ends again before any id-bearing
 * event must be resumed with the same id, not reopened fresh (typescript-sdk
 * #2499). The loopback server sends one event with id `e1` on the GET stream
 * and ends it, ends the resumed stream at once, and records the next GET.
 *
 * @example
 * await resumeTokenCheck.run(ctx) // throws a CheckFailure on an unpatched SDK
 */
export const resumeTokenCheck: Check = {
  slug: '2499-client-resume-token',
  behaviour: 'a resumed GET stream cut before any event is resumed again with its last event id',
  async run(ctx) {
    const { signal } = ctx
    const { StreamableHTTPClientTransport } = await clientClasses(ctx)
    const gets = scriptedGets([sseThenEnd(`id: e1\ndata: ${note}\n\n`), sseThenEnd()])
    const server = await loopback(gets.handler, signal)
    const transport = new StreamableHTTPClientTransport(server.url, {
      sessionId: 'mcps-verify-session',
      reconnectionOptions: { initialReconnectionDelay: 5, maxReconnectionDelay: 5, reconnectionDelayGrowFactor: 1, maxRetries: 2 }
    })
    transport.onerror = () => {}
    try {
      await transport.start()
      await transport.send({ jsonrpc: '2.0', method: 'notifications/initialized' })
      const [, resumed, again] = await gets.until(3, 'the client did not reconnect its GET stream twice')
      ensure(resumed!.lastEventId === 'e1', `the first reconnection carried Last-Event-ID ${JSON.stringify(resumed!.lastEventId)}, expected "e1"`)
      ensure(again!.lastEventId === 'e1', `after the resumed stream ended before any event, the client reconnected with Last-Event-ID ${JSON.stringify(again!.lastEventId ?? null)}, expected "e1": events in the gap are lost`)
    } finally {
      await transport.close().catch(() => {})
      await server.close()
    }
  }
}

/** Fix 006 on `@modelcontextprotocol/client` 2.x: the same behaviour. */
export const resumeTokenCheckV2: Check = { ...resumeTokenCheck, package: CLIENT_PACKAGE }
