/**
 * The server-side causes behind the fault suite's losses and duplicates, one
 * deterministic test each, on the wire (bare fetch, no SDK client deciding
 * anything) against demo node processes:
 * - a resumed stream carries no priming event, so a client whose resumed
 *   stream is cut before the next message has no id to resume from;
 * - a notification sent before the session's first GET stream opened is skipped;
 * - on Redis, two standalone GET streams of one session both deliver every
 *   notification (the spec: a message goes out on one stream only);
 * - SIGTERM drops the streamed calls in flight instead of finishing them;
 * - during a Redis outage a GET resume is refused (503), and a client that
 *   gives up after a few refusals (the SDK as published) never listens again.
 */
import { describe, expect, it, onTestFinished } from 'vitest'
import { startRedisServer } from '@mcp-sessions/tools/cluster/processes.js'
import { callTool, openSession, openStream, streamTool, type SseEvent } from '@mcp-sessions/tools/faults/sse-session.js'
import { startRedis } from '../helpers/redis.js'
import { clusterNodes } from './backends.js'

const isTick = (s: number) => (e: SseEvent) => e.data.includes('"t":"tick"') && e.data.includes(`"s":${s}`)

async function startNodeProcesses(store: 'memory' | 'redis', count: number) {
  const env: Record<string, string> = store === 'memory' ? { STORE: 'memory' } : { REDIS_URL: (await startRedis()).url }
  return clusterNodes(count, env)
}

async function startNodes(store: 'memory' | 'redis', count: number): Promise<string[]> {
  return (await startNodeProcesses(store, count)).map(n => n.url)
}

describe.each(['memory', 'redis'] as const)('streams on the %s store', { timeout: 30_000 }, store => {
  it('primes a resumed GET stream with a resumable id before anything else', async () => {
    const [url] = await startNodes(store, 1)
    const session = await openSession(url!)
    const fresh = await openStream(session, url!)
    const primed = await fresh.next(() => true, 2_000)
    expect(primed?.id, 'a fresh GET stream starts with a priming event').toBeTruthy()
    fresh.close()
    await fresh.untilEnded()
    const resumed = await openStream(session, url!, primed!.id)
    expect(resumed.status).toBe(200)
    // Cut now, before any message, the client must still hold an id: the stream has to give it one.
    const first = await resumed.next(() => true, 2_000)
    resumed.close()
    expect(first, 'an event on the resumed stream within 2 s').toBeDefined()
    expect(first!.id, 'the resumed stream\'s first event carries an id').toBeTruthy()
    expect(first!.data, 'and no message (a priming event)').toBe('')
  })

  it('delivers a notification sent before the session\'s first GET stream opened', async () => {
    const [url] = await startNodes(store, 1)
    const session = await openSession(url!)
    expect((await callTool(session, 'tick', { c: 'early', s: 1 })).status).toBe(200)
    const stream = await openStream(session, url!)
    const early = await stream.next(isTick(1), 2_000)
    stream.close()
    expect(early, 'the tick sent before the GET stream opened arrives on it').toBeDefined()
  })

  it('delivers a notification on one GET stream only when the session opens a second one', async () => {
    // On Redis the two streams sit on two nodes, as after a failover; in memory both are on the one node.
    const urls = await startNodes(store, store === 'redis' ? 2 : 1)
    const session = await openSession(urls[0]!)
    const older = await openStream(session, urls[0]!)
    expect(await older.next(() => true, 2_000), 'the first stream is primed').toBeDefined()
    const newer = await openStream(session, urls.at(-1)!)
    expect(await newer.next(() => true, 2_000), 'the second stream is primed').toBeDefined()
    expect((await callTool(session, 'tick', { c: 'once', s: 1 })).status).toBe(200)
    const got = await Promise.all([older, newer].map(s => s.next(isTick(1), 1_500)))
    older.close()
    newer.close()
    expect(got.filter(Boolean).length, 'streams that delivered the notification').toBe(1)
  })
})

describe('shutdown', { timeout: 30_000 }, () => {
  it('finishes a streamed call in flight when its node gets SIGTERM, then exits', async () => {
    const redis = await startRedis()
    const node = (await clusterNodes(1, { REDIS_URL: redis.url }))[0]!
    const { url } = node
    const session = await openSession(url)
    const call = await streamTool(session, url, 'parts', { c: 'term', k: 1, count: 3, gapsMs: [400] })
    expect(await call.next(e => e.data.includes('"p":1'), 5_000), 'part 1 before the signal').toBeDefined()
    const exited = new Promise<number>(resolve => node.child.once('exit', () => resolve(Date.now())))
    const signalled = Date.now()
    node.child.kill('SIGTERM')
    await call.untilEnded(15_000)
    const parts = call.events.filter(e => e.data.includes('"t":"part"')).length
    const result = call.events.some(e => e.data.includes('"result"') && e.data.includes('parts 1: 3'))
    expect({ parts, result }, 'the call in flight completes on the terminating node').toEqual({ parts: 3, result: true })
    expect(await exited - signalled, 'the node exits after its work is done').toBeLessThan(15_000)
  })

  it('finishes a streamed call whose stream was cut and resumed on another node when its node gets SIGTERM', async () => {
    // A balancer's idle cut in the middle of a tool's work: the POST stream is gone, the call is not.
    const [first, second] = await startNodeProcesses('redis', 2)
    const session = await openSession(first!.url)
    const call = await streamTool(session, first!.url, 'parts', { c: 'cut', k: 1, count: 3, gapsMs: [100, 1_500] })
    const part2 = await call.next(e => e.data.includes('"p":2'), 5_000)
    expect(part2?.id, 'part 2 arrives with an id before the cut').toBeTruthy()
    call.close()
    const resumed = await openStream(session, second!.url, part2!.id)
    expect(resumed.status).toBe(200)
    first!.child.kill('SIGTERM')
    const result = await resumed.next(e => e.data.includes('"result"'), 10_000)
    resumed.close()
    expect(resumed.events.some(e => e.data.includes('"p":3')), 'part 3 reaches the resumed stream').toBe(true)
    expect(result?.data, 'the result reaches the resumed stream').toContain('parts 1: 3')
  })
})

describe('a Redis outage', { timeout: 30_000 }, () => {
  it('answers a GET resume with a priming event at the client\'s own cursor and ends it, so the client polls until Redis is back', async () => {
    const redis = await startRedisServer({ appendOnly: true })
    onTestFinished(redis.stop)
    // node-1 never sees the session before the outage: it cannot read the record, and answers the same.
    const urls = (await clusterNodes(2, { REDIS_URL: redis.url })).map(n => n.url)
    const session = await openSession(urls[0]!)
    const fresh = await openStream(session, urls[0]!)
    const primed = await fresh.next(() => true, 2_000)
    fresh.close()
    await redis.down('SIGTERM')
    for (const url of urls) {
      const during = await openStream(session, url, primed!.id)
      expect(during.status, `a resume on ${url} while Redis is down`).toBe(200)
      const first = await during.next(() => true, 2_000)
      expect(first, 'its first event: the cursor the client sent, a reconnection delay, no message').toMatchObject({ id: primed!.id, data: '' })
      expect(Number(first!.retry)).toBeGreaterThan(0)
      expect(await during.untilEnded(3_000), 'the stream ends, so the client reconnects after the delay').toBe(true)
    }
    expect((await callTool(session, 'tick', { c: 'outage', s: 0 })).status, 'a call while Redis is down').toBe(503)
    await redis.up()
    // node-redis reconnects on its own backoff (at most 2 s): a bounded wait for the tick to be stored.
    const deadline = Date.now() + 10_000
    while ((await callTool(session, 'tick', { c: 'outage', s: 1 })).status !== 200 && Date.now() < deadline) await new Promise(resolve => setTimeout(resolve, 200))
    const after = await openStream(session, urls[1]!, primed!.id)
    const tick = await after.next(isTick(1), 5_000)
    after.close()
    expect(tick, 'the resume from the polled cursor delivers what was sent after the outage').toBeDefined()
  })
})
