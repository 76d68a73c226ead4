/** A call waiting for Redis, linked in the order calls were sent. */
interface Waiting {
  due: number
  fail: (error: Error) => void
  prev: Waiting | undefined
  next: Waiting | undefined
}

/**
 * Fails calls Redis has not answered within `timeoutMs`, with one timer for
 * all of them. node-redis's own command timeout arms a timer and an
 * `AbortSignal` with a listener per command; here a call costs one list
 * entry, unlinked when it is answered, and the timer wakes when the oldest
 * waiting call falls due.
 *
 * @example
 * const deadlines = new Deadlines(5_000)
 * const waiting = deadlines.add(reject)
 * reply.finally(() => deadlines.settle(waiting))
 */
export class Deadlines {
  readonly #timeoutMs: number
  #oldest: Waiting | undefined
  #newest: Waiting | undefined
  #timer: ReturnType<typeof setTimeout> | undefined

  constructor(timeoutMs: number) {
    this.#timeoutMs = timeoutMs
  }

  /** Starts the clock on a call; `fail` runs once if it is not {@link settle}d in time. */
  add(fail: (error: Error) => void): Waiting {
    const waiting: Waiting = { due: Date.now() + this.#timeoutMs, fail, prev: this.#newest, next: undefined }
    if (this.#newest) this.#newest.next = waiting
    else this.#oldest = waiting
    this.#newest = waiting
    this.#timer ??= this.#arm(this.#timeoutMs)
    return waiting
  }

  /** The call was answered (or failed by itself): no deadline any more. */
  settle(waiting: Waiting): void {
    if (waiting.prev) waiting.prev.next = waiting.next
    else if (this.#oldest === waiting) this.#oldest = waiting.next
    else return
    if (waiting.next) waiting.next.prev = waiting.prev
    else this.#newest = waiting.prev
    waiting.prev = waiting.next = undefined
  }

  readonly #check = (): void => {
    this.#timer = undefined
    const now = Date.now()
    for (let oldest = this.#oldest; oldest && oldest.due <= now; oldest = this.#oldest) {
      this.settle(oldest)
      oldest.fail(new Error(`[mcp-sessions] Redis did not answer within ${this.#timeoutMs} ms`))
    }
    if (this.#oldest) this.#timer = this.#arm(this.#oldest.due - now)
  }

  #arm(ms: number): ReturnType<typeof setTimeout> {
    const timer = setTimeout(this.#check, ms)
    timer.unref?.()
    return timer
  }
}
