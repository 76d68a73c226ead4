/**
 * The per-session event store: ids encode the stream, replay stays on its
 * stream and in its session, bounds by length and age.
 */
import { describe, expect, it } from 'vitest'
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js'
import { MemoryEventStore } from '@mcp-sessions/server'
import { eventStoreContract } from './event-store-contract.js'

eventStoreContract('MemoryEventStore', async ({ maxEvents }) => ({ forSession: () => new MemoryEventStore({ maxEvents }) }))

const note = (n: number): JSONRPCMessage => ({ jsonrpc: '2.0', method: 'notifications/message', params: { level: 'info', data: n } })

async function replay(store: MemoryEventStore, after: string) {
  const got: Array<[string, unknown]> = []
  const stream = await store.replayEventsAfter(after, { send: async (id, message) => void got.push([id, (message as any).params.data]) })
  return { stream, got }
}

describe('MemoryEventStore', () => {
  it('names the stream of an event id without a promise (streamOf), as getStreamIdForEventId does', async () => {
    const store = new MemoryEventStore()
    const a = await store.storeEvent('stream-a', note(1))
    const b = await store.storeEvent('stream-b', note(2))
    expect([store.streamOf(a), store.streamOf(b)]).toEqual(['stream-a', 'stream-b'])
    expect([await store.getStreamIdForEventId(a), await store.getStreamIdForEventId(b)]).toEqual(['stream-a', 'stream-b'])
    expect(store.streamOf(new MemoryEventStore().cursor('stream-a'))).toBeUndefined()
  })

  it('names the stream in every event id', async () => {
    const store = new MemoryEventStore()
    const a = await store.storeEvent('stream-a', note(1))
    const b = await store.storeEvent('stream-b', note(2))
    expect(await store.getStreamIdForEventId(a)).toBe('stream-a')
    expect(await store.getStreamIdForEventId(b)).toBe('stream-b')
    expect(a).toMatch(/^[\x21-\x7e]+$/)
  })

  it('replays only the events after the id, of that stream, in order', async () => {
    const store = new MemoryEventStore()
    const first = await store.storeEvent('a', note(1))
    await store.storeEvent('b', note(100))
    const second = await store.storeEvent('a', note(2))
    await store.storeEvent('b', note(101))
    const third = await store.storeEvent('a', note(3))
    const { stream, got } = await replay(store, first)
    expect(stream).toBe('a')
    expect(got).toEqual([[second, 2], [third, 3]])
  })

  it('skips priming events (empty messages) on replay', async () => {
    const store = new MemoryEventStore()
    const priming = await store.storeEvent('a', {} as JSONRPCMessage)
    await store.storeEvent('a', note(1))
    expect((await replay(store, priming)).got.map(([, n]) => n)).toEqual([1])
  })

  it('does not know ids of another store (another session)', async () => {
    const mine = new MemoryEventStore()
    const theirs = new MemoryEventStore()
    await mine.storeEvent('_GET_stream', note(1))
    const foreign = await theirs.storeEvent('_GET_stream', note(1))
    expect(await mine.getStreamIdForEventId(foreign)).toBeUndefined()
    expect(mine.check(foreign)).toBe('foreign')
    await expect(replay(mine, foreign)).rejects.toThrow(/unknown event id/)
  })

  it('keeps at most maxEvents and reports a resume point below them as expired', async () => {
    const store = new MemoryEventStore({ maxEvents: 3 })
    const ids = []
    for (let n = 1; n <= 5; n++) ids.push(await store.storeEvent('a', note(n)))
    expect(store.size).toBe(3)
    expect(store.check(ids[0]!)).toBe('expired')
    expect(store.check(ids[1]!)).toBeUndefined()
    expect((await replay(store, ids[1]!)).got.map(([, n]) => n)).toEqual([3, 4, 5])
  })

  it('drops events older than maxAgeMs, proportionally to what expires', async () => {
    let now = 0
    const store = new MemoryEventStore({ maxAgeMs: 1_000, now: () => now })
    const old = await store.storeEvent('a', note(1))
    now = 500
    await store.storeEvent('b', note(2))
    now = 1_200
    const fresh = await store.storeEvent('b', note(3))
    expect(store.size).toBe(2)
    // Stream a lost its only event: it is forgotten, so its ids are unknown now.
    expect(store.check(old)).toBe('foreign')
    expect(store.check(fresh)).toBeUndefined()
  })

  it('gives a cursor that resumes from the current end of a stream', async () => {
    const store = new MemoryEventStore()
    await store.storeEvent('_GET_stream', note(1))
    const cursor = store.cursor('_GET_stream')
    await store.storeEvent('_GET_stream', note(2))
    expect((await replay(store, cursor)).got.map(([, n]) => n)).toEqual([2])
    const empty = new MemoryEventStore()
    const start = empty.cursor('_GET_stream')
    await empty.storeEvent('_GET_stream', note(7))
    expect((await replay(empty, start)).got.map(([, n]) => n)).toEqual([7])
  })

  it('forgets a finished request stream once its response went out, and keeps an unanswered one', async () => {
    const store = new MemoryEventStore()
    await store.storeEvent('answered', {} as JSONRPCMessage)
    const done = await store.storeEvent('answered', { jsonrpc: '2.0', id: 1, result: {} })
    const priming = await store.storeEvent('polling', {} as JSONRPCMessage)
    await store.storeEvent('polling', note(1))
    store.finished('answered')
    store.finished('polling')
    expect(store.check(done)).toBe('foreign')
    expect(store.check(priming)).toBeUndefined()
    expect(store.size).toBe(2)
  })

  it('drops the oldest events first across the GET stream and request streams', async () => {
    let now = 0
    const store = new MemoryEventStore({ maxEvents: 3, now: () => now })
    const start = store.cursor('_GET_stream')
    const g1 = await store.storeEvent('_GET_stream', note(1))
    now = 1
    const r1 = await store.storeEvent('req', note(2))
    now = 2
    await store.storeEvent('_GET_stream', note(3))
    now = 3
    await store.storeEvent('req', note(4))
    expect(store.size).toBe(3)
    // Event 1 of the GET stream was the oldest: a resume that needs it is refused, one past it is fine.
    expect(store.check(start)).toBe('expired')
    expect(store.check(g1)).toBeUndefined()
    expect(store.check(r1)).toBeUndefined()
    expect((await replay(store, r1)).got.map(([, n]) => n)).toEqual([4])
  })
})
