import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EventSink } from '@mcp-sessions/server'
import { redisSessions } from '@mcp-sessions/redis'
import { startRedis, type RedisServer } from '../../helpers/redis.js'
import { monitorRedis, sent } from '../../helpers/redis-monitor.js'
import { nextEvent, settle } from '../../helpers/wait.js'
import { eventStoreContract } from '../server/event-store-contract.js'

let redis: RedisServer
const cleanups: Array<() => Promise<void>> = []
beforeAll(async () => {
  redis = await startRedis(cleanup => cleanups.push(cleanup))
})
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup()
})

let run = 0
async function backend(options: Parameters<typeof redisSessions>[0] = {}) {
  const client = await redis.client()
  const sessions = await redisSessions({ client, prefix: `ev${++run}`, onError: () => {}, ...options })
  cleanups.push(() => sessions.store.close())
  return sessions
}

eventStoreContract('Redis event store', async ({ maxEvents }) => {
  const { eventStore } = await backend({ maxEventsPerStream: maxEvents })
  return { forSession: sessionId => eventStore({ sessionId }) }
})

const note = (n: number): JSONRPCMessage => ({ jsonrpc: '2.0', method: 'notifications/message', params: { level: 'info', data: n } })
const result = (id: number): JSONRPCMessage => ({ jsonrpc: '2.0', id, result: { content: [] } })

async function replay(store: { replayEventsAfter: (id: string, o: { send: (id: string, m: JSONRPCMessage) => Promise<void> }) => Promise<string> }, after: string) {
  const seen: Array<{ id: string; message: JSONRPCMessage }> = []
  const stream = await store.replayEventsAfter(after, { send: async (id, message) => void seen.push({ id, message }) })
  return { stream, seen }
}

describe('RedisEventStore', () => {
  it('replays exactly the events after an id, of that stream only, skipping priming events', async () => {
    const { eventStore } = await backend()
    const store = eventStore({ sessionId: 'sess-a' })
    const prime = await store.storeEvent('req-1', {} as JSONRPCMessage)
    const first = await store.storeEvent('req-1', note(1))
    await store.storeEvent('req-2', note(99))
    await store.storeEvent('req-1', note(2))
    await store.storeEvent('req-1', result(7))
    expect(store.streamOf(first)).toBe('req-1')
    expect(await store.getStreamIdForEventId(first)).toBe('req-1')
    const fromPrime = await replay(store, prime)
    expect(fromPrime.stream).toBe('req-1')
    expect(fromPrime.seen.map(e => e.message)).toEqual([note(1), note(2), result(7)])
    expect((await replay(store, first)).seen.map(e => e.message)).toEqual([note(2), result(7)])
  })

  it('rejects an id of another session, a forged stream entry and malformed ids as foreign', async () => {
    const { eventStore } = await backend()
    const mine = eventStore({ sessionId: 'mine' })
    const other = eventStore({ sessionId: 'other' })
    const theirs = await other.storeEvent('_GET_stream', note(1))
    await mine.storeEvent('_GET_stream', note(2))
    expect(await mine.check(theirs)).toBe('foreign')
    expect(mine.streamOf(theirs)).toBeUndefined()
    const mineId = await mine.cursor('_GET_stream')
    const [tag, stream] = mineId.split('/')
    expect(await mine.check(`${tag}/${stream}/99999999999999-0`)).toBe('foreign')
    for (const bad of ['', 'garbage', `${tag}/${stream}`, `${tag}/${stream}/1-x`, `${tag}/a b/1-0`, `${tag}/${stream}/1-0/extra`, 'x'.repeat(500)]) {
      expect(await mine.check(bad), bad).toBe('foreign')
    }
    await expect(mine.replayEventsAfter(theirs, { send: async () => {} })).rejects.toThrow(/unknown event id/)
  })

  it('bounds a stream by length and reports a cursor before the trimmed part as expired', async () => {
    const { eventStore } = await backend({ maxEventsPerStream: 3 })
    const store = eventStore({ sessionId: 's' })
    const ids: string[] = []
    for (let i = 1; i <= 5; i++) ids.push(await store.storeEvent('_GET_stream', note(i)))
    expect(await redis.client().then(c => c.xLen(`ev${run}:{s}:s:_GET_stream`))).toBe(3)
    // Events 1-2 are gone: resuming after event 1 would skip event 2.
    expect(await store.check(ids[0]!)).toBe('expired')
    expect(await store.check(ids[1]!)).toBeUndefined()
    expect((await replay(store, ids[1]!)).seen.map(e => e.message)).toEqual([note(3), note(4), note(5)])
  })

  it('bounds a stream by age: the key expires after the grace period', async () => {
    const { eventStore } = await backend({ maxAgeMs: 300 })
    const store = eventStore({ sessionId: 'aged' })
    const id = await store.storeEvent('_GET_stream', note(1))
    await store.storeEvent('_GET_stream', note(2))
    const client = await redis.client()
    const ttl = await client.pTTL(`ev${run}:{aged}:s:_GET_stream`)
    expect(ttl).toBeGreaterThan(0)
    expect(ttl).toBeLessThanOrEqual(300)
    await new Promise(resolve => setTimeout(resolve, 400))
    expect(await store.check(id)).toBe('expired')
  })

  it('gives a priming cursor that resumes without loss, even before the first event', async () => {
    const { eventStore } = await backend()
    const store = eventStore({ sessionId: 'cur' })
    const cursor = await store.cursor('_GET_stream')
    expect(await store.check(cursor)).toBeUndefined()
    await store.storeEvent('_GET_stream', note(1))
    expect((await replay(store, cursor)).seen.map(e => e.message)).toEqual([note(1)])
  })

  it('follows a stream written by another node, in order and once, and ends a request stream after its response', async () => {
    const a = await backend()
    const b = await backend({ client: await redis.client(), prefix: `ev${run}` })
    const reader = a.eventStore({ sessionId: 'f' })
    const writer = b.eventStore({ sessionId: 'f' })
    const start = await writer.storeEvent('req', {} as JSONRPCMessage)
    await writer.storeEvent('req', note(1))
    const got: JSONRPCMessage[] = []
    let ended!: () => void
    const end = nextEvent<void>('the followed stream to end', deliver => (ended = deliver))
    const sink: EventSink = { event: (_id, message) => void got.push(message), end: () => ended() }
    reader.follow('req', start, sink)
    await writer.storeEvent('req', note(2))
    await writer.storeEvent('req', result(5))
    await end
    expect(got).toEqual([note(1), note(2), result(5)])
  })

  it('primes a request stream without a Redis command, and resumes it from its beginning', async () => {
    const { eventStore } = await backend()
    const store = eventStore({ sessionId: 'primed' })
    const monitor = await monitorRedis(redis.port)
    let prime!: string
    try {
      const seen = await monitor.window(async () => void (prime = await store.storeEvent('req-p', {} as JSONRPCMessage)), 50)
      expect(sent(seen)).toEqual([])
    } finally {
      monitor.close()
    }
    expect(await store.check(prime)).toBeUndefined()
    await store.storeEvent('req-p', note(1))
    await store.storeEvent('req-p', result(3))
    expect((await replay(store, prime)).seen.map(e => e.message)).toEqual([note(1), result(3)])
  })

  it('tells a priming id pasted onto another stream (foreign) and one older than the grace period (expired)', async () => {
    const { eventStore } = await backend({ maxAgeMs: 200 })
    const store = eventStore({ sessionId: 'pasted' })
    const prime = await store.storeEvent('req-a', {} as JSONRPCMessage)
    const [tag, , entry] = prime.split('/')
    expect(await store.check(`${tag}/req-b/${entry}`)).toBe('foreign')
    expect(await store.check(prime)).toBeUndefined()
    await settle(300)
    expect(await store.check(prime)).toBe('expired')
  })

  it('places a marker stored after other events at the end of its stream', async () => {
    const { eventStore } = await backend()
    const store = eventStore({ sessionId: 'marked' })
    await store.storeEvent('req-m', note(1))
    const marker = await store.storeEvent('req-m', {} as JSONRPCMessage)
    expect((await replay(store, marker)).seen).toEqual([])
    await store.storeEvent('req-m', note(2))
    expect((await replay(store, marker)).seen.map(e => e.message)).toEqual([note(2)])
  })

  it('wakes a follower once its subscriber is back: what was stored while it was away arrives without a poll', async () => {
    // A safety-net poll a minute away: only the reconnect can deliver within the wait below.
    const reader = (await backend({ url: redis.url, client: undefined, pollIntervalMs: 60_000 })).eventStore({ sessionId: 'w' })
    const writerClient = await redis.client()
    const writer = (await backend({ client: writerClient, prefix: `ev${run}` })).eventStore({ sessionId: 'w' })
    const got: JSONRPCMessage[] = []
    const waiters: Array<() => void> = []
    const sink: EventSink = { event: (_id, message) => { got.push(message); for (const w of waiters.splice(0)) w() }, end: () => {} }
    const arrived = (n: number, what: string) => got.length >= n ? Promise.resolve() : nextEvent<void>(what, deliver => waiters.push(deliver), 3_000)
    const stop = reader.follow('_GET_stream', await reader.cursor('_GET_stream'), sink)
    cleanups.push(async () => stop())
    // Stored until one arrives: then the follower is subscribed.
    for (let n = 1; got.length === 0 && n <= 20; n++) {
      await writer.storeEvent('_GET_stream', note(n))
      await settle(50)
    }
    const before = got.length
    expect(before).toBeGreaterThan(0)
    // Same connection, in this order: the subscriber is cut before the event is stored (its publish reaches no one).
    const kill = writerClient.sendCommand(['CLIENT', 'KILL', 'TYPE', 'pubsub'])
    const stored = writer.storeEvent('_GET_stream', note(100))
    await Promise.all([kill, stored])
    await arrived(before + 1, 'the event stored while the subscriber was away')
    expect(got.at(-1)).toEqual(note(100))
  })
})
