import { CLIENT_PACKAGE } from '../manifest.js'
import { loopback } from './loopback.js'
import { clientClasses } from './sdk-api.js'
import { scriptedGets, sseThenEnd, statusOnly } from './scripted-gets.js'
import { ensure, type Check } from './types.js'

/**
 * A GET stream reconnection answered 503 with Retry-After must not use up the
 * retry budget (typescript-sdk #1892, #2098). The loopback server ends the GET
 * stream, answers the next three GETs 503 with `Retry-After: 0`, and waits for
 * a fourth reconnection; with `maxRetries: 2` an unpatched client gives up
 * after the second.
 *
 * @example
 * await retryAfterCheck.run(ctx) // throws a CheckFailure on an unpatched SDK
 */
export const retryAfterCheck: Check = {
  slug: '1892-client-retry-after',
  behaviour: 'the GET stream keeps reconnecting through 503 answers with Retry-After',
  async run(ctx) {
    const { signal } = ctx
    const { StreamableHTTPClientTransport } = await clientClasses(ctx)
    const unavailable = statusOnly(503, { 'retry-after': '0' })
    const gets = scriptedGets([sseThenEnd(), unavailable, unavailable, unavailable])
    const server = await loopback(gets.handler, signal)
    const transport = new StreamableHTTPClientTransport(server.url, {
      sessionId: 'mcps-verify-session',
      reconnectionOptions: { initialReconnectionDelay: 5, maxReconnectionDelay: 50, reconnectionDelayGrowFactor: 1, maxRetries: 2 }
    })
    let gaveUp = false
    transport.onerror = (error: Error) => {
      if (/Maximum reconnection attempts/.test(error.message)) gaveUp = true
    }
    try {
      await transport.start()
      await transport.send({ jsonrpc: '2.0', method: 'notifications/initialized' })
      await gets.until(5, 'the client stopped reconnecting its GET stream after 503 answers with Retry-After')
      ensure(!gaveUp, 'the client reported "Maximum reconnection attempts" although every failed attempt was a 503 with Retry-After')
    } finally {
      await transport.close().catch(() => {})
      await server.close()
    }
  }
}

/** Fix 007 on `@modelcontextprotocol/client` 2.x: the same behaviour. */
export const retryAfterCheckV2: Check = { ...retryAfterCheck, package: CLIENT_PACKAGE }
