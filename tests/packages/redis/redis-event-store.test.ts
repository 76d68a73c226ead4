import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EventSink } from '@mcp-sessions/server'
import { redisSessions } from '@mcp-sessions/redis'
import { startRedis, type RedisServer } from '../../helpers/redis.js'
import { nextEvent } from '../../helpers/wait.js'
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
})
