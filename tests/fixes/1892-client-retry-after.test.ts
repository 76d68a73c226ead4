/**
 * The client's GET stream rides out a short outage: a reconnection answered
 * 503 or 429 with `Retry-After` waits as long as the server asks (within the
 * reconnection delays) and uses up no attempt, so the stream comes back, with
 * its `Last-Event-ID`, once the server does. POSTs are never retried.
 * @see https://github.com/modelcontextprotocol/typescript-sdk/issues/1892
 * @see https://github.com/modelcontextprotocol/typescript-sdk/issues/2098
 */
import { describe, expect } from 'vitest'
import { flavors, type ModuleFlavor } from '../helpers/cell.js'
import { useMsw } from '../helpers/msw.js'
import { guard, proof } from '../helpers/proof.js'
import { failsWithStatus, generation } from '../helpers/sdk-api.js'
import { cursors, initialized, note, result, scriptedTransport, sse, statusAnswer, toolCall, type Reconnection } from '../helpers/sse-script.js'
import { settle } from '../helpers/wait.js'

const URL_ = 'http://mcp.test/mcp'
const server = useMsw()
const waits = proof('1892-client-retry-after')
const kept = guard('1892-client-retry-after')

/** The SDK's default budget of two attempts, with delays short enough for a test. */
const reconnection: Reconnection = { initialReconnectionDelay: 5, maxReconnectionDelay: 3_000, reconnectionDelayGrowFactor: 1, maxRetries: 2 }
const connect = (flavor: ModuleFlavor, options: Partial<Reconnection> = {}, transportOptions: Record<string, unknown> = {}) =>
  scriptedTransport(flavor, server, URL_, { ...reconnection, ...options }, transportOptions)
const unavailable = (retryAfter?: string) => statusAnswer(503, retryAfter === undefined ? {} : { 'retry-after': retryAfter })
const times = <T>(n: number, value: T) => Array.from({ length: n }, () => value)
const gaveUp = (errors: Error[]) => errors.some(e => /Maximum reconnection attempts/.test(e.message))

describe.each(flavors)('client Retry-After (%s)', flavor => {
  for (const status of [503, 429]) {
    waits(`keeps reopening the GET stream through an outage answered ${status} with Retry-After, with its Last-Event-ID`, async () => {
      const { t, script, errors, until, delivered, texts } = await connect(flavor)
      script.get(req => sse(req, [{ id: 'e1', data: note('n1') }]), ...times(4, statusAnswer(status, { 'retry-after': '0' })), req => sse(req, [{ id: 'e2', data: note('n2') }], 'open'))
      await t.send(initialized)
      await until('six GETs, or the reconnection to give up', () => script.requests('GET').length >= 6 || gaveUp(errors))
      expect(gaveUp(errors)).toBe(false)
      expect(cursors(script.requests('GET'))).toEqual([null, 'e1', 'e1', 'e1', 'e1', 'e1'])
      await delivered(2)
      expect(texts()).toEqual(['n1', 'n2'])
    })
  }

  waits('waits as long as a Retry-After in seconds asks before the next attempt', async () => {
    const { t, script } = await connect(flavor)
    script.get(req => sse(req, []), unavailable('1'))
    await t.send(initialized)
    const [, refused, next] = await script.gets(3)
    // Without Retry-After the next attempt comes 5 ms later here.
    expect(next!.at - refused!.at).toBeGreaterThanOrEqual(950)
  })

  waits('waits until the HTTP-date a Retry-After names', async () => {
    const { t, script } = await connect(flavor)
    // An HTTP-date has whole seconds: two seconds ahead is between one and two seconds away.
    script.get(req => sse(req, []), req => unavailable(new Date(Date.now() + 2_000).toUTCString())(req))
    await t.send(initialized)
    const [, refused, next] = await script.gets(3)
    expect(next!.at - refused!.at).toBeGreaterThanOrEqual(900)
  })

  waits('resumes a request stream through an outage answered 503 with Retry-After, and delivers its result', async () => {
    const { t, script, errors, until, delivered, texts } = await connect(flavor)
    script.post(req => sse(req, [{ id: 'p0', data: '' }, { id: 'p1', data: note('part 1') }]))
    script.get(...times(3, unavailable('0')), req => sse(req, [{ id: 'p2', data: result(7) }]))
    await t.send(toolCall(7))
    await until('four GETs, or the reconnection to give up', () => script.requests('GET').length >= 4 || gaveUp(errors))
    expect(gaveUp(errors)).toBe(false)
    expect(cursors(script.requests('GET'))).toEqual(['p1', 'p1', 'p1', 'p1'])
    await delivered(2)
    expect(texts()).toEqual(['part 1', 'done'])
  })

  waits('tries a first GET again when it is answered 503 with Retry-After', async () => {
    const { t, script, delivered, texts } = await connect(flavor)
    script.get(unavailable('0'), req => sse(req, [{ data: note('n1') }], 'open'))
    await t.send(initialized)
    // The retry comes 5 ms after the 503 here.
    await delivered(1, 1_000)
    expect(texts()).toEqual(['n1'])
  })

  waits('reports the wait a 503 asked for on the error of resumeStream()', async () => {
    const { t, script } = await connect(flavor)
    script.get(unavailable('7'))
    const error = await failsWithStatus(t.resumeStream('e1'), 503)
    expect(error).toMatchObject({ retryAfterMs: 7_000 })
  })

  // v2's transport takes a reconnectionScheduler (v1 has none): it is handed the wait the server asked for.
  if (generation() === 2) {
    waits('hands a reconnectionScheduler the wait a Retry-After asks for, as the same attempt', async () => {
      const asked: Array<[delay: number, attempt: number]> = []
      const reconnectionScheduler = (reconnect: () => void, delay: number, attempt: number) => {
        asked.push([delay, attempt])
        // Reconnects at once: the test checks what the transport asks for, not the clock.
        const handle = setTimeout(reconnect, 0)
        return () => clearTimeout(handle)
      }
      const { t, script, errors, messages, until } = await connect(flavor, {}, { reconnectionScheduler })
      script.get(req => sse(req, []), unavailable('1'), unavailable('2'), req => sse(req, [{ data: note('n1') }], 'open'))
      await t.send(initialized)
      await until('the stream to come back, or the reconnection to give up', () => messages.length > 0 || gaveUp(errors))
      expect(asked).toEqual([[5, 0], [1_000, 0], [2_000, 0]])
    })
  }

  kept('gives up after maxRetries attempts answered 503 without Retry-After', async () => {
    const { t, script, errors, until } = await connect(flavor)
    script.get(req => sse(req, []), ...times(5, unavailable()))
    await t.send(initialized)
    await until('the reconnection to give up', () => gaveUp(errors))
    // Attempts run 5 ms apart here; 100 ms leaves room for several more if any were scheduled.
    await settle(100)
    expect(script.requests('GET')).toHaveLength(3)
  })

  kept('stops reopening once an outage answered 503 with Retry-After outlasts its bound', async () => {
    const { t, script, errors, until } = await connect(flavor, { maxReconnectionDelay: 20 })
    script.get(req => sse(req, []), ...times(500, unavailable('0')))
    await t.send(initialized)
    await until('the reconnection to give up', () => gaveUp(errors), 5_000)
    const count = script.requests('GET').length
    await settle(100)
    expect(script.requests('GET')).toHaveLength(count)
  })

  kept('never waits longer than maxReconnectionDelay for a Retry-After', async () => {
    const { t, script } = await connect(flavor, { maxReconnectionDelay: 50 })
    script.get(req => sse(req, []), unavailable('3600'))
    await t.send(initialized)
    const [, refused, next] = await script.gets(3)
    expect(next!.at - refused!.at).toBeLessThan(2_000)
  })

  kept('does not retry a POST answered 503 with Retry-After', async () => {
    const { t, script } = await connect(flavor)
    script.post(unavailable('0'))
    await failsWithStatus(t.send(toolCall(3)), 503)
    await settle(100)
    expect(script.requests('POST')).toHaveLength(1)
  })
})
