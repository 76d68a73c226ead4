/** A stream the ticker keeps alive. */
export interface Quiet {
  /** Set by the stream when it writes; the ticker clears it at every tick. */
  spoke: boolean
  /** Writes one comment frame. */
  frame(): void
}

/**
 * Comment frames for every open stream of a manager, from ONE interval
 * instead of a timer per stream: nearly every POST stream ends within the
 * turn it opened in, and arming and clearing a timer for each cost more than
 * the rest of its bookkeeping. The streams are the ones `open` lists when it
 * ticks (the manager already keeps that list), so a call adds nothing but a
 * flag. The interval runs at half of `everyMs` and a stream gets a frame when
 * it wrote nothing since the tick before, so no open stream is silent longer
 * than `everyMs` (the promise made to the balancer's idle timeout). It stops
 * at a tick that finds no stream open; `start` arms it again.
 *
 * @example
 * const ticker = new KeepAliveTicker(15_000, () => openStreams)
 * ticker.start() // when a stream opens; it sets `spoke` whenever it writes
 */
export class KeepAliveTicker {
  readonly #everyMs: number
  readonly #open: () => Quiet[]
  #timer: ReturnType<typeof setInterval> | undefined

  constructor(everyMs: number, open: () => Quiet[]) {
    this.#everyMs = everyMs
    this.#open = open
  }

  /** A stream opened: make sure the interval runs. */
  start(): void {
    if (this.#timer !== undefined) return
    this.#timer = setInterval(() => this.#tick(), Math.max(1, Math.floor(this.#everyMs / 2)))
    this.#timer.unref?.()
  }

  #tick(): void {
    const streams = this.#open()
    if (streams.length === 0) {
      clearInterval(this.#timer)
      this.#timer = undefined
      return
    }
    for (const stream of streams) {
      if (!stream.spoke) stream.frame()
      stream.spoke = false
    }
  }
}
