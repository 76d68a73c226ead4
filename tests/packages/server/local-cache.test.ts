/**
 * `maxLocalSessions` on the in-memory store: a session released from memory
 * is still a session of this node, under the same lifetime policy as a live
 * one (idle expiry, `maxSessions`, `onSessionClosed`), and its record does not
 * outlive it.
 */
import { describe, expect, it } from 'vitest'
import { MemorySessionStore } from '@mcp-sessions/server'
import { ManualClock } from '../../helpers/manual-clock.js'
import { echo, initialize, startManager } from './fixture.js'

describe('maxLocalSessions with the in-memory store', () => {
  it('keeps released sessions under idleTimeoutMs and maxSessions, with onSessionClosed for each', async () => {
    const clock = new ManualClock()
    const store = new MemorySessionStore({ now: clock.now })
    const { url, log, until, manager } = await startManager({ clock, store, idleTimeoutMs: 60_000, maxSessions: 5, maxLocalSessions: 2 })
    const ids: string[] = []
    for (let i = 0; i < 10; i++) {
      ids.push(await initialize(url))
      clock.advance(10)
    }
    expect(log.created).toEqual(ids)
    expect(manager.size).toBeLessThanOrEqual(2)
    // maxSessions counts every session of this node, in memory or not: the five oldest were evicted.
    await until('five evictions', () => log.closed.length === 5)
    expect(log.closed).toEqual(ids.slice(0, 5).map(id => ({ id, reason: 'evicted' })))
    for (const id of ids.slice(0, 5)) expect(await store.get(id)).toBeUndefined()

    clock.advance(60_000)
    await until('the other five to expire', () => log.closed.length === 10)
    expect(log.closed.slice(5).map(c => c.reason)).toEqual(Array(5).fill('idle'))
    expect(log.closed.slice(5).map(c => c.id).sort()).toEqual(ids.slice(5).sort())
    for (const id of ids) expect(await store.get(id)).toBeUndefined()
    for (const id of ids) expect((await echo(url, id)).status).toBe(404)
    expect(manager.size).toBe(0)
  })

  it('rehydrates a released session on its next request and expires it from its last activity', async () => {
    const clock = new ManualClock()
    const { url, log, until } = await startManager({ clock, idleTimeoutMs: 60_000, maxLocalSessions: 1 })
    const a = await initialize(url)
    const b = await initialize(url)
    clock.advance(50_000)
    expect((await echo(url, a, 'back')).json.result.content[0].text).toBe('back')
    clock.advance(10_001)
    // b was idle for 60 s (released, never used again); a was used 10 s ago.
    await until('b to expire', () => log.closed.length === 1)
    expect(log.closed).toEqual([{ id: b, reason: 'idle' }])
    expect((await echo(url, a)).status).toBe(200)
  })

  it('ends released sessions on shutdown', async () => {
    const { url, log, manager } = await startManager({ maxLocalSessions: 1 })
    const ids = [await initialize(url), await initialize(url), await initialize(url)]
    await manager.shutdown()
    expect(log.closed.map(c => c.id).sort()).toEqual([...ids].sort())
    expect(log.closed.every(c => c.reason === 'shutdown')).toBe(true)
  })
})
