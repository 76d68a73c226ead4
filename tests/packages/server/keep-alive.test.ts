/**
 * One ticker sends the comment frames of every open stream: a frame only to a
 * stream that wrote nothing since the tick before, so no stream is silent
 * longer than the interval, and a busy stream gets none.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { KeepAliveTicker } from '../../../packages/server/src/internal/streams/keep-alive.js'

const stream = () => {
  const frames: number[] = []
  return { frames, spoke: true, frame: () => void frames.push(Date.now()) }
}

describe('keep-alive ticker', () => {
  beforeEach(() => void vi.useFakeTimers({ now: 0 }))
  afterEach(() => void vi.useRealTimers())

  it('frames a quiet stream at least once per interval, from its opening on', () => {
    const open = [stream()]
    const ticker = new KeepAliveTicker(1_000, () => open)
    vi.advanceTimersByTime(300)
    ticker.start()
    vi.advanceTimersByTime(10_000)
    const times = [300, ...open[0]!.frames]
    const gaps = times.slice(1).map((at, i) => at - times[i]!)
    expect(open[0]!.frames.length).toBeGreaterThanOrEqual(10)
    expect(Math.max(...gaps)).toBeLessThanOrEqual(1_000)
  })

  it('sends nothing to a stream that keeps writing, and nothing once it is closed', () => {
    const busy = stream()
    let open = [busy]
    const ticker = new KeepAliveTicker(1_000, () => open)
    ticker.start()
    for (let t = 0; t < 5_000; t += 400) {
      busy.spoke = true
      vi.advanceTimersByTime(400)
    }
    expect(busy.frames).toEqual([])
    open = []
    vi.advanceTimersByTime(5_000)
    expect(busy.frames).toEqual([])
  })

  it('stops its timer at a tick with no stream open, and starts it again for the next one', () => {
    let open: Array<ReturnType<typeof stream>> = []
    const ticker = new KeepAliveTicker(1_000, () => open)
    ticker.start()
    vi.advanceTimersByTime(1_000)
    expect(vi.getTimerCount()).toBe(0)
    const next = stream()
    open = [next]
    ticker.start()
    vi.advanceTimersByTime(1_000)
    expect(next.frames).toHaveLength(1)
  })
})
