/**
 * A clock for the session manager that moves only when a test says so:
 * `advance(ms)` runs every timer that falls due, in order. No global fake
 * timers, so sockets and vitest keep real time.
 */
export class ManualClock {
  #now = 1_700_000_000_000
  #seq = 0
  readonly #timers = new Map<number, { at: number; callback: () => void }>()

  now = (): number => this.#now

  setTimeout = (callback: () => void, ms: number): unknown => {
    const handle = ++this.#seq
    this.#timers.set(handle, { at: this.#now + Math.max(0, ms), callback })
    return handle
  }

  clearTimeout = (handle: unknown): void => {
    this.#timers.delete(handle as number)
  }

  /** Timers armed and not yet run. */
  get pending(): number {
    return this.#timers.size
  }

  advance(ms: number): void {
    const target = this.#now + ms
    for (let guard = 0; guard < 100_000; guard++) {
      let next: [number, { at: number; callback: () => void }] | undefined
      for (const entry of this.#timers) if (entry[1].at <= target && (!next || entry[1].at < next[1].at)) next = entry
      if (!next) break
      this.#timers.delete(next[0])
      this.#now = Math.max(this.#now, next[1].at)
      next[1].callback()
    }
    this.#now = target
  }
}
