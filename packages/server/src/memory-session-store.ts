import type { SessionRecord, SessionStore } from './session-store.js'

interface Entry {
  record: SessionRecord
  expiresAt: number
}

/**
 * The default store: a Map in this process. Expired records are dropped when
 * read, so it needs no timer; the session manager removes records itself when
 * it ends a session, so nothing accumulates.
 *
 * @example
 * const manager = createSessionManager({ createServer, store: new MemorySessionStore() })
 */
export class MemorySessionStore implements SessionStore {
  readonly #entries = new Map<string, Entry>()
  readonly #now: () => number

  constructor(options: { now?: () => number } = {}) {
    this.#now = options.now ?? Date.now
  }

  async create(record: SessionRecord, ttlMs: number): Promise<boolean> {
    if (this.#live(record.id)) return false
    this.#entries.set(record.id, { record: structuredClone(record), expiresAt: this.#now() + ttlMs })
    return true
  }

  async get(id: string): Promise<SessionRecord | undefined> {
    const entry = this.#live(id)
    return entry && structuredClone(entry.record)
  }

  async touch(id: string, lastActiveAt: number, ttlMs: number): Promise<boolean> {
    const entry = this.#live(id)
    if (!entry) return false
    entry.record.lastActiveAt = Math.max(entry.record.lastActiveAt, lastActiveAt)
    entry.expiresAt = this.#now() + ttlMs
    return true
  }

  async delete(id: string): Promise<boolean> {
    const existed = this.#live(id) !== undefined
    this.#entries.delete(id)
    return existed
  }

  async close(): Promise<void> {
    this.#entries.clear()
  }

  #live(id: string): Entry | undefined {
    const entry = this.#entries.get(id)
    if (entry && entry.expiresAt <= this.#now()) {
      this.#entries.delete(id)
      return undefined
    }
    return entry
  }
}
