import type { ClientKind } from './protocol.js'

/**
 * What each kind of client does, relative to the balancer's idle cut `T`
 * (haproxy `timeout server`):
 * - `busy`: a tick every 100-250 ms and a 5-part streamed call (80 ms apart)
 *   every 300-500 ms: its streams are rarely idle, only faults cut them;
 * - `quiet`: a tick every 1.5-3.5 T: its GET stream idles past T between
 *   ticks, so the balancer cuts it, the client resumes it, and the resumed
 *   stream is often cut again before the next tick;
 * - `slow`: a tick every ~1 s and a 3-part call whose last part comes 3 T
 *   after the second: the call's stream is cut while the tool works, and the
 *   resumed stream is cut again before that part arrives (with the SDK's
 *   default 1 s reconnection delay: cut at T, resumed at T + 1 s, cut at 2 T + 1 s).
 *
 * @example
 * const { tickPauseMs } = workloadOf('quiet', 3_000, 42)
 */
export function workloadOf(kind: ClientKind, timeoutServerMs: number, seed: number) {
  const random = mulberry32(seed)
  const between = (min: number, max: number) => () => Math.round(min + (max - min) * random())
  const T = timeoutServerMs
  if (kind === 'busy') return { tickPauseMs: between(100, 250), parts: { count: 5, gapsMs: [80], pauseMs: between(300, 500) } }
  if (kind === 'quiet') return { tickPauseMs: between(1.5 * T, 3.5 * T), parts: undefined }
  return { tickPauseMs: between(800, 1_200), parts: { count: 3, gapsMs: [100, 3 * T], pauseMs: between(500, 1_000) } }
}

/** A small seeded PRNG: the same seed gives every run the same pauses. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
