import type { Commands } from './redis.js'

/** Beyond this many waiting keys they go out at once: the wait bounds memory too. */
const MAX_WAITING = 10_000

/**
 * Request streams whose response went out in full, waiting for their short
 * TTL (`PEXPIRE … LT`, never lengthening it). The session's next stored
 * event or touch carries them in its own script (every key of a session
 * shares its hash slot), so a busy session retires its streams without a
 * command of its own;
 * whatever no touch took within `delayMs` goes out together, one command per
 * key written in one go. A key that is never sent (Redis away) keeps the
 * grace-period TTL it already has: it lingers, nothing is lost.
 *
 * @example
 * const retirements = new Retirements(commands, 30_000, 5_000, onError)
 * retirements.add(sessionId, streamKey)      // the event store, on finished()
 * const keys = retirements.take(sessionId)   // the next write or touch of that session
 */
export class Retirements {
  readonly ttlMs: number
  readonly #redis: Commands
  readonly #delayMs: number
  readonly #onError: (error: unknown) => void
  readonly #waiting = new Map<string, string[]>()
  #count = 0
  #timer: ReturnType<typeof setTimeout> | undefined

  constructor(redis: Commands, ttlMs: number, delayMs: number, onError: (error: unknown) => void) {
    this.#redis = redis
    this.ttlMs = ttlMs
    this.#delayMs = delayMs
    this.#onError = onError
  }

  add(sessionId: string, key: string): void {
    const keys = this.#waiting.get(sessionId)
    if (keys) keys.push(key)
    else this.#waiting.set(sessionId, [key])
    if (++this.#count >= MAX_WAITING) void this.flush()
    else if (!this.#timer) {
      this.#timer = setTimeout(() => void this.flush(), this.#delayMs)
      this.#timer.unref()
    }
  }

  /** The keys of `sessionId` waiting to be retired, handed to the caller (who sends them). */
  take(sessionId: string): string[] | undefined {
    const keys = this.#waiting.get(sessionId)
    if (!keys) return undefined
    this.#waiting.delete(sessionId)
    this.#count -= keys.length
    return keys
  }

  /** Sends everything waiting now; failures are reported, not thrown. */
  async flush(): Promise<void> {
    clearTimeout(this.#timer)
    this.#timer = undefined
    const keys = [...this.#waiting.values()].flat()
    this.#waiting.clear()
    this.#count = 0
    // Issued in one tick: node-redis writes them to the socket together.
    const ttl = String(this.ttlMs)
    await Promise.all(keys.map(key => this.#redis.call(key, ['PEXPIRE', key, ttl, 'LT']))).catch(this.#onError)
  }
}
