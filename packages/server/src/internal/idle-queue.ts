import type { Clock } from '../clock.js'

/**
 * Idle sessions in order of last activity, with ONE timer armed for the oldest
 * deadline. A Map keeps insertion order and re-inserting moves a key to the
 * end, so touching is O(1) and expiry walks only what has expired.
 */
export class IdleQueue {
  readonly #since = new Map<string, number>()
  readonly #clock: Clock
  readonly #ttlMs: number
  readonly #onExpire: (id: string) => void
  #timer: unknown
  #timerAt = Infinity

  constructor(clock: Clock, ttlMs: number, onExpire: (id: string) => void) {
    this.#clock = clock
    this.#ttlMs = ttlMs
    this.#onExpire = onExpire
  }

  get size(): number {
    return this.#since.size
  }

  /** Marks `id` idle since `at` (moves it to the young end). */
  add(id: string, at: number): void {
    this.#since.delete(id)
    this.#since.set(id, at)
    // An armed timer is never late (a touch only moves a deadline later): it re-arms when it fires. Looking at the
    // oldest entry on every add would walk the holes deleted keys leave at the front of the Map, a cost that grows
    // with the number of sessions.
    if (this.#timer === undefined) this.#arm()
  }

  /** The session is busy (request in flight or stream open) or gone: it cannot expire. */
  remove(id: string): void {
    this.#since.delete(id)
  }

  has(id: string): boolean {
    return this.#since.has(id)
  }

  /** When `id` went idle, if it is idle. */
  since(id: string): number | undefined {
    return this.#since.get(id)
  }

  /** The least recently active idle session. */
  oldest(): string | undefined {
    for (const id of this.#since.keys()) return id
    return undefined
  }

  /** The two least recently active idle sessions, oldest first (two: one may be excluded by the caller). */
  oldestTwo(): Array<{ id: string; since: number }> {
    const out: Array<{ id: string; since: number }> = []
    for (const [id, since] of this.#since) {
      out.push({ id, since })
      if (out.length === 2) break
    }
    return out
  }

  stop(): void {
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer)
    this.#timer = undefined
    this.#timerAt = Infinity
  }

  #arm(): void {
    const oldest = this.#since.values().next()
    if (oldest.done) return
    const at = oldest.value + this.#ttlMs
    // Deadlines only move later (touches go to the young end), so a timer
    // armed earlier than needed just re-arms when it fires.
    if (this.#timer !== undefined && this.#timerAt <= at) return
    this.stop()
    this.#timerAt = at
    this.#timer = this.#clock.setTimeout(() => this.#fire(), Math.max(0, at - this.#clock.now()))
  }

  #fire(): void {
    this.#timer = undefined
    this.#timerAt = Infinity
    const cutoff = this.#clock.now() - this.#ttlMs
    for (const [id, since] of this.#since) {
      if (since > cutoff) break
      this.#since.delete(id)
      this.#onExpire(id)
    }
    this.#arm()
  }
}
