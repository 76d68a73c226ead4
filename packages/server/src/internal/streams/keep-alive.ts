/** A stream the ticker keeps alive: `frame` writes one comment frame. */
export interface Quiet {
  frame(): void
}

/**
 * Comment frames for every open stream of a manager, from ONE interval
 * instead of a timer per stream: nearly every POST stream ends within the
 * turn it opened in, and arming and clearing a timer for each cost more than
 * the rest of its bookkeeping. The interval runs at half of `everyMs` and a
 * stream gets a frame when it wrote nothing since the tick before, so no
 * open stream is silent longer than `everyMs` (the promise made to the
 * balancer's idle timeout). Stops at a tick that finds no stream open.
 *
 * @example
 * const ticker = new KeepAliveTicker(15_000)
 * ticker.add(stream); ticker.spoke(stream); ticker.remove(stream)
 */
export class KeepAliveTicker {
  readonly #everyMs: number
  /** Each open stream, and whether it wrote since the last tick (a new one counts as having written). */
  readonly #streams = new Map<Quiet, boolean>()
  #timer: ReturnType<typeof setInterval> | undefined

  constructor(everyMs: number) {
    this.#everyMs = everyMs
  }

  add(stream: Quiet): void {
    this.#streams.set(stream, true)
    if (this.#timer !== undefined) return
    this.#timer = setInterval(() => this.#tick(), Math.max(1, Math.floor(this.#everyMs / 2)))
    this.#timer.unref?.()
  }

  /** The stream wrote something: no frame due at the next tick. */
  spoke(stream: Quiet): void {
    if (this.#streams.has(stream)) this.#streams.set(stream, true)
  }

  remove(stream: Quiet): void {
    this.#streams.delete(stream)
  }

  #tick(): void {
    if (this.#streams.size === 0) {
      clearInterval(this.#timer)
      this.#timer = undefined
      return
    }
    for (const [stream, spoke] of [...this.#streams]) {
      if (!this.#streams.has(stream)) continue
      if (!spoke) stream.frame()
      this.#streams.set(stream, false)
    }
  }
}
