/**
 * One ticker sends the comment frames of every open stream: a frame only to a
 * stream that wrote nothing since the tick before, so no stream is silent
 * longer than the interval, and a busy stream gets none.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { KeepAliveTicker } from '../../../packages/server/src/internal/streams/keep-alive.js'

const stream = () => {
  const frames: number[] = []
  return { frames, frame: () => void frames.push(Date.now()) }
}

describe('keep-alive ticker', () => {
  beforeEach(() => void vi.useFakeTimers({ now: 0 }))
  afterEach(() => void vi.useRealTimers())

  it('frames a quiet stream at least once per interval, from its opening on', () => {
    const ticker = new KeepAliveTicker(1_000)
    const quiet = stream()
    vi.advanceTimersByTime(300)
    ticker.add(quiet)
    vi.advanceTimersByTime(10_000)
    const times = [300, ...quiet.frames]
    const gaps = times.slice(1).map((at, i) => at - times[i]!)
    expect(quiet.frames.length).toBeGreaterThanOrEqual(10)
    expect(Math.max(...gaps)).toBeLessThanOrEqual(1_000)
    ticker.remove(quiet)
  })

  it('sends nothing to a stream that keeps writing, and nothing after it is removed', () => {
    const ticker = new KeepAliveTicker(1_000)
    const busy = stream()
    ticker.add(busy)
    for (let t = 0; t < 5_000; t += 400) {
      ticker.spoke(busy)
      vi.advanceTimersByTime(400)
    }
    expect(busy.frames).toEqual([])
    ticker.remove(busy)
    vi.advanceTimersByTime(5_000)
    expect(busy.frames).toEqual([])
  })

  it('stops its timer at a tick with no stream open, and starts it again for the next one', () => {
    const ticker = new KeepAliveTicker(1_000)
    const first = stream()
    ticker.add(first)
    ticker.remove(first)
    vi.advanceTimersByTime(1_000)
    expect(vi.getTimerCount()).toBe(0)
    const next = stream()
    ticker.add(next)
    vi.advanceTimersByTime(1_000)
    expect(next.frames).toHaveLength(1)
    ticker.remove(next)
  })
})
