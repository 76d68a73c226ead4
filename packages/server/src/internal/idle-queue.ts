import type { Clock } from '../clock.js'

/** One session's place in the queue; it stays in the index while the session is busy, unlinked. */
interface Entry {
  id: string
  since: number
  prev: Entry | undefined
  next: Entry | undefined
}

/**
 * Idle sessions in order of last activity, with ONE timer armed for the oldest
 * deadline. A list threaded through one entry per session: a session going
 * busy and idle again (every request) unlinks and relinks its entry, so
 * touching is O(1) and allocates nothing, and expiry walks only what has
 * expired. (Deleting and re-inserting a Map key per request left holes that
 * made the Map rebuild its table, a table as large as the number of sessions.)
 */
export class IdleQueue {
  /** Every session the queue knows, idle (linked) or busy (held). */
  readonly #entries = new Map<string, Entry>()
  #first: Entry | undefined
  #last: Entry | undefined
  #size = 0
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

  /** Idle sessions. */
  get size(): number {
    return this.#size
  }

  /** Marks `id` idle since `at` (moves it to the young end). */
  add(id: string, at: number): void {
    let entry = this.#entries.get(id)
    if (!entry) this.#entries.set(id, (entry = { id, since: at, prev: undefined, next: undefined }))
    else this.#unlink(entry)
    entry.since = at
    this.#link(entry)
    // An armed timer is never late (a touch only moves a deadline later): it re-arms when it fires.
    if (this.#timer === undefined) this.#arm()
  }

  /** The session is busy (a request in flight or a stream open): it cannot expire until it is added again. */
  hold(id: string): void {
    const entry = this.#entries.get(id)
    if (entry) this.#unlink(entry)
  }

  /** The session is gone: the queue forgets it. */
  remove(id: string): void {
    const entry = this.#entries.get(id)
    if (!entry) return
    this.#unlink(entry)
    this.#entries.delete(id)
  }

  has(id: string): boolean {
    const entry = this.#entries.get(id)
    return entry !== undefined && this.#linked(entry)
  }

  /** When `id` went idle, if it is idle. */
  since(id: string): number | undefined {
    const entry = this.#entries.get(id)
    return entry && this.#linked(entry) ? entry.since : undefined
  }

  /** The least recently active idle session. */
  oldest(): string | undefined {
    return this.#first?.id
  }

  /** The two least recently active idle sessions, oldest first (two: one may be excluded by the caller). */
  oldestTwo(): Array<{ id: string; since: number }> {
    const out: Array<{ id: string; since: number }> = []
    for (let entry = this.#first; entry && out.length < 2; entry = entry.next) out.push({ id: entry.id, since: entry.since })
    return out
  }

  stop(): void {
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer)
    this.#timer = undefined
    this.#timerAt = Infinity
  }

  #linked(entry: Entry): boolean {
    return this.#first === entry || entry.prev !== undefined
  }

  #link(entry: Entry): void {
    entry.prev = this.#last
    entry.next = undefined
    if (this.#last) this.#last.next = entry
    else this.#first = entry
    this.#last = entry
    this.#size++
  }

  #unlink(entry: Entry): void {
    if (!this.#linked(entry)) return
    if (entry.prev) entry.prev.next = entry.next
    else this.#first = entry.next
    if (entry.next) entry.next.prev = entry.prev
    else this.#last = entry.prev
    entry.prev = entry.next = undefined
    this.#size--
  }

  #arm(): void {
    if (!this.#first) return
    const at = this.#first.since + this.#ttlMs
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
    for (let entry = this.#first; entry && entry.since <= cutoff; entry = this.#first) {
      this.remove(entry.id)
      this.#onExpire(entry.id)
    }
    this.#arm()
  }
}
