/** The one-timer deadline of every Redis call (packages/redis/src/internal/deadlines.ts). */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { Deadlines } from '../../../packages/redis/src/internal/deadlines.js'

describe('Deadlines', () => {
  beforeEach(() => void vi.useFakeTimers({ now: 0 }))
  afterEach(() => void vi.useRealTimers())

  it('fails the calls not settled in time, oldest first, each once', () => {
    const deadlines = new Deadlines(1_000)
    const failed: string[] = []
    const a = deadlines.add(() => failed.push('a'))
    vi.advanceTimersByTime(200)
    const b = deadlines.add(() => failed.push('b'))
    deadlines.add(() => failed.push('c'))
    deadlines.settle(b)
    vi.advanceTimersByTime(799)
    expect(failed).toEqual([])
    vi.advanceTimersByTime(1)
    expect(failed).toEqual(['a'])
    vi.advanceTimersByTime(200)
    expect(failed).toEqual(['a', 'c'])
    // Settling a call that already failed, or twice, changes nothing.
    deadlines.settle(a)
    deadlines.settle(b)
    vi.advanceTimersByTime(5_000)
    expect(failed).toEqual(['a', 'c'])
  })

  it('keeps one timer however many calls wait, and none once they are settled', () => {
    const deadlines = new Deadlines(1_000)
    const waiting = Array.from({ length: 100 }, () => deadlines.add(() => {}))
    expect(vi.getTimerCount()).toBe(1)
    for (const w of waiting) deadlines.settle(w)
    vi.advanceTimersByTime(1_000)
    expect(vi.getTimerCount()).toBe(0)
  })

  it('fails with an error that says how long it waited', () => {
    const deadlines = new Deadlines(300)
    const errors: Error[] = []
    deadlines.add(error => errors.push(error))
    vi.advanceTimersByTime(300)
    expect(errors.map(e => e.message)).toEqual(['[mcp-sessions] Redis did not answer within 300 ms'])
  })

  it('settles a call in the middle, at either end, and the only one', () => {
    const deadlines = new Deadlines(100)
    const failed: number[] = []
    const calls = [0, 1, 2, 3].map(i => deadlines.add(() => failed.push(i)))
    deadlines.settle(calls[3]!)
    deadlines.settle(calls[0]!)
    deadlines.settle(calls[2]!)
    vi.advanceTimersByTime(100)
    expect(failed).toEqual([1])
    const only = deadlines.add(() => failed.push(9))
    deadlines.settle(only)
    deadlines.add(() => failed.push(10))
    vi.advanceTimersByTime(100)
    expect(failed).toEqual([1, 10])
  })
})
