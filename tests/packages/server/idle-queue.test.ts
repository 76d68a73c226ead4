/**
 * Expiry costs what expires: one timer for the oldest deadline, a walk over
 * the expired prefix only.
 */
import { describe, expect, it } from 'vitest'
import { IdleQueue } from '../../../packages/server/src/internal/idle-queue.js'
import { ManualClock } from '../../helpers/manual-clock.js'

describe('IdleQueue', () => {
  it('expires in order of last activity with a single timer armed', () => {
    const clock = new ManualClock()
    const expired: string[] = []
    const queue = new IdleQueue(clock, 1_000, id => expired.push(id))
    for (let i = 0; i < 10_000; i++) {
      queue.add(`s${i}`, clock.now())
      if (i % 1_000 === 999) clock.advance(10)
    }
    expect(clock.pending).toBe(1)
    queue.add('s0', clock.now())
    clock.advance(900)
    // Sessions added in the first 10 ms window (s1..s999) expired; s0 was touched, the rest are younger.
    expect(expired).toHaveLength(999)
    expect(expired[0]).toBe('s1')
    expect(expired.at(-1)).toBe('s999')
    expect(clock.pending).toBe(1)
    expect(queue.size).toBe(10_000 - 999)
  })

  it('never expires a removed (busy) session', () => {
    const clock = new ManualClock()
    const expired: string[] = []
    const queue = new IdleQueue(clock, 1_000, id => expired.push(id))
    queue.add('busy', clock.now())
    queue.add('idle', clock.now())
    queue.remove('busy')
    clock.advance(5_000)
    expect(expired).toEqual(['idle'])
    expect(clock.pending).toBe(0)
  })

  it('keeps a held (busy) session out of expiry and eviction until it is idle again, then counts from then', () => {
    const clock = new ManualClock()
    const expired: string[] = []
    const queue = new IdleQueue(clock, 1_000, id => expired.push(id))
    queue.add('a', clock.now())
    queue.add('b', clock.now())
    queue.hold('a')
    expect(queue.size).toBe(1)
    expect(queue.has('a')).toBe(false)
    expect(queue.since('a')).toBeUndefined()
    expect(queue.oldest()).toBe('b')
    clock.advance(2_000)
    expect(expired).toEqual(['b'])
    const idleAgain = clock.now()
    queue.add('a', idleAgain)
    expect(queue.oldestTwo()).toEqual([{ id: 'a', since: idleAgain }])
    clock.advance(999)
    expect(expired).toEqual(['b'])
    clock.advance(1)
    expect(expired).toEqual(['b', 'a'])
    expect(queue.size).toBe(0)
  })

  it('names the least recently active session for eviction', () => {
    const clock = new ManualClock()
    const queue = new IdleQueue(clock, 1_000, () => {})
    queue.add('a', 0)
    queue.add('b', 0)
    queue.add('a', 1)
    expect(queue.oldest()).toBe('b')
  })
})
