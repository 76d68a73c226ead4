/**
 * The contract every SessionStore meets. Run it once per implementation:
 *
 *   storeContract('MemorySessionStore', async () => { const clock = …; return { store, advance } })
 *
 * `advance(ms)` moves the store's clock (a fake clock for memory; for Redis,
 * whatever makes `ms` of TTL elapse). Without `advance`, the expiry cases are skipped.
 */
import { describe, expect, it, onTestFinished } from 'vitest'
import type { SessionRecord, SessionStore } from '@mcp-sessions/server'

export interface StoreUnderTest {
  store: SessionStore
  advance?: (ms: number) => Promise<void>
}

const record = (id: string, overrides: Partial<SessionRecord> = {}): SessionRecord => ({
  id,
  state: {
    sessionId: id,
    protocolVersion: '2025-11-25',
    clientInfo: { name: 'contract', version: '1.0.0' },
    clientCapabilities: { elicitation: { form: {} }, sampling: {} }
  },
  principal: 'alice',
  createdAt: 1_000,
  lastActiveAt: 1_000,
  ...overrides
})

export function storeContract(name: string, make: () => Promise<StoreUnderTest>): void {
  const setup = async () => {
    const subject = await make()
    onTestFinished(() => subject.store.close?.())
    return subject
  }

  describe(`SessionStore contract: ${name}`, () => {
    it('returns what was created, as plain JSON', async () => {
      const { store } = await setup()
      expect(await store.create(record('s1'), 60_000)).toBe(true)
      expect(await store.get('s1')).toEqual(record('s1'))
    })

    it('keeps the principal, including an unbound (undefined) one', async () => {
      const { store } = await setup()
      await store.create(record('bound'), 60_000)
      await store.create(record('open', { principal: undefined }), 60_000)
      expect((await store.get('bound'))?.principal).toBe('alice')
      expect((await store.get('open'))?.principal).toBeUndefined()
    })

    it('does not overwrite an existing id on create', async () => {
      const { store } = await setup()
      await store.create(record('s1'), 60_000)
      expect(await store.create(record('s1', { principal: 'mallory' }), 60_000)).toBe(false)
      expect((await store.get('s1'))?.principal).toBe('alice')
    })

    it('returns undefined for an unknown id', async () => {
      const { store } = await setup()
      expect(await store.get('never-issued')).toBeUndefined()
      expect(await store.touch('never-issued', 2_000, 60_000)).toBe(false)
      expect(await store.delete('never-issued')).toBe(false)
    })

    it('does not let a caller mutate the stored record through a returned copy', async () => {
      const { store } = await setup()
      await store.create(record('s1'), 60_000)
      const copy = await store.get('s1')
      copy!.principal = 'mallory'
      expect((await store.get('s1'))?.principal).toBe('alice')
    })

    it('moves lastActiveAt forward on touch, never backwards', async () => {
      const { store } = await setup()
      await store.create(record('s1'), 60_000)
      expect(await store.touch('s1', 5_000, 60_000)).toBe(true)
      expect((await store.get('s1'))?.lastActiveAt).toBe(5_000)
      await store.touch('s1', 4_000, 60_000)
      expect((await store.get('s1'))?.lastActiveAt).toBe(5_000)
    })

    it('deletes a record once', async () => {
      const { store } = await setup()
      await store.create(record('s1'), 60_000)
      await store.create(record('s2'), 60_000)
      expect(await store.delete('s1')).toBe(true)
      expect(await store.delete('s1')).toBe(false)
      expect(await store.get('s1')).toBeUndefined()
      expect(await store.get('s2')).toEqual(record('s2'))
    })

    it('expires a record ttlMs after its last create or touch', async () => {
      const { store, advance } = await setup()
      if (!advance) return expect(advance).toBeUndefined()
      await store.create(record('s1'), 1_000)
      await store.create(record('s2'), 1_000)
      await advance(600)
      await store.touch('s2', 1_600, 1_000)
      await advance(500)
      expect(await store.get('s1')).toBeUndefined()
      expect(await store.touch('s1', 2_100, 1_000)).toBe(false)
      expect(await store.get('s2')).toBeDefined()
      await advance(600)
      expect(await store.get('s2')).toBeUndefined()
    })

    it('lets an expired id be created again', async () => {
      const { store, advance } = await setup()
      if (!advance) return expect(advance).toBeUndefined()
      await store.create(record('s1'), 1_000)
      await advance(1_001)
      expect(await store.create(record('s1', { principal: 'bob' }), 1_000)).toBe(true)
      expect((await store.get('s1'))?.principal).toBe('bob')
    })
  })
}
