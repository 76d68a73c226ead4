/**
 * The contract every SessionEventStore meets, run once per implementation:
 *
 *   eventStoreContract('MemoryEventStore', async ({ maxEvents }) => ({ forSession: () => new MemoryEventStore({ maxEvents }) }))
 *
 * `forSession(id)` returns the event store of one session; two ids give two
 * sessions' stores. `maxEvents` bounds one stream (the only one a test fills).
 */
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js'
import { describe, expect, it } from 'vitest'
import { GET_STREAM_ID, type SessionEventStore } from '@mcp-sessions/server'

export interface EventStoresUnderTest {
  forSession(sessionId: string): SessionEventStore
}

const note = (n: number): JSONRPCMessage => ({ jsonrpc: '2.0', method: 'notifications/message', params: { level: 'info', data: n } })
const PRIMING = {} as JSONRPCMessage

async function replay(store: SessionEventStore, after: string) {
  const seen: Array<{ id: string; n: unknown }> = []
  const stream = await store.replayEventsAfter(after, { send: async (id, message) => void seen.push({ id, n: (message as { params?: { data?: unknown } }).params?.data }) })
  return { stream, seen }
}

export function eventStoreContract(name: string, make: (options: { maxEvents?: number }) => Promise<EventStoresUnderTest>): void {
  describe(`SessionEventStore contract: ${name}`, () => {
    it('issues visible-ASCII ids that name their stream', async () => {
      const store = (await make({})).forSession('contract-a')
      const a = await store.storeEvent('stream-a', note(1))
      const b = await store.storeEvent('stream-b', note(2))
      expect(a).toMatch(/^[\x21-\x7e]+$/)
      expect(await store.getStreamIdForEventId?.(a)).toBe('stream-a')
      expect(await store.getStreamIdForEventId?.(b)).toBe('stream-b')
      expect(await store.check(a)).toBeUndefined()
    })

    it('replays only what follows an id on its stream, in order, once, without priming events', async () => {
      const store = (await make({})).forSession('contract-b')
      const start = await store.storeEvent('a', PRIMING)
      const first = await store.storeEvent('a', note(1))
      await store.storeEvent('b', note(100))
      const second = await store.storeEvent('a', note(2))
      const fromStart = await replay(store, start)
      expect(fromStart.stream).toBe('a')
      expect(fromStart.seen).toEqual([{ id: first, n: 1 }, { id: second, n: 2 }])
      expect((await replay(store, first)).seen.map(e => e.n)).toEqual([2])
    })

    it('treats an id of another session as foreign and refuses to replay it', async () => {
      const stores = await make({})
      const mine = stores.forSession('contract-mine')
      const theirs = await stores.forSession('contract-theirs').storeEvent(GET_STREAM_ID, note(1))
      await mine.storeEvent(GET_STREAM_ID, note(2))
      expect(await mine.check(theirs)).toBe('foreign')
      expect(await mine.getStreamIdForEventId?.(theirs)).toBeUndefined()
      await expect(replay(mine, theirs)).rejects.toThrow(/unknown event id/)
      for (const bad of ['', 'garbage', 'x'.repeat(500)]) expect(await mine.check(bad), bad).toBe('foreign')
    })

    it('gives a cursor that resumes from the end of a stream, also before its first event', async () => {
      const store = (await make({})).forSession('contract-c')
      const empty = await store.cursor(GET_STREAM_ID)
      expect(empty).toBeDefined()
      expect(await store.check(empty!)).toBeUndefined()
      await store.storeEvent(GET_STREAM_ID, note(1))
      const later = await store.cursor(GET_STREAM_ID)
      await store.storeEvent(GET_STREAM_ID, note(2))
      expect((await replay(store, empty!)).seen.map(e => e.n)).toEqual([1, 2])
      expect((await replay(store, later!)).seen.map(e => e.n)).toEqual([2])
    })

    it('reports a resume point whose next events were dropped by the length bound as expired', async () => {
      const store = (await make({ maxEvents: 3 })).forSession('contract-d')
      const ids: string[] = []
      for (let n = 1; n <= 5; n++) ids.push(await store.storeEvent(GET_STREAM_ID, note(n)))
      expect(await store.check(ids[0]!)).toBe('expired')
      expect(await store.check(ids[1]!)).toBeUndefined()
      expect((await replay(store, ids[1]!)).seen.map(e => e.n)).toEqual([3, 4, 5])
    })

    it('finishes a stream and disposes without failing', async () => {
      const store = (await make({})).forSession('contract-e')
      await store.storeEvent('req', note(1))
      await store.storeEvent('req', { jsonrpc: '2.0', id: 1, result: {} })
      await expect(Promise.resolve(store.finished('req'))).resolves.toBeUndefined()
      await expect(Promise.resolve(store.dispose())).resolves.toBeUndefined()
    })
  })
}
