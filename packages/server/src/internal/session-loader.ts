import type { SessionRecord } from '../session-store.js'
import type { ManagerContext } from './context.js'
import type { LiveSession } from './live-session.js'
import type { SessionRegistry } from './registry.js'
import type { Caller, SessionFactory } from './session-factory.js'

/**
 * The one place a session id becomes a live session: this node's registry,
 * or on a miss the store (a shared store, or a dormant session of this
 * node): read the record, check the principal, hydrate through the factory.
 * One hydrate in flight per id. With a shared store every request also
 * refreshes the record's TTL, and a record gone from the store (DELETE or
 * expiry on any node) releases the local copy. Throws when the store or
 * the build fails.
 */
export class SessionLoader {
  readonly #ctx: ManagerContext
  readonly #registry: SessionRegistry
  readonly #factory: SessionFactory
  readonly #wire: (session: LiveSession) => void
  readonly #hydrating = new Map<string, Promise<LiveSession | SessionRecord | undefined>>()

  /** `wire`: what the manager adds to a built session before it serves (answer routing). */
  constructor(ctx: ManagerContext, registry: SessionRegistry, factory: SessionFactory, wire: (session: LiveSession) => void) {
    this.#ctx = ctx
    this.#registry = registry
    this.#factory = factory
    this.#wire = wire
  }

  /** Synchronous for a session this node holds without a shared store (nearly every request of a single node). */
  load(id: string, caller: Caller): LiveSession | undefined | Promise<LiveSession | undefined> {
    const local = this.#registry.get(id)
    // @note A foreign principal is answered exactly like an unknown id, so ids cannot be probed.
    if (local) {
      if (local.closing || local.principal !== caller.principal) return undefined
      return this.#ctx.shared ? this.#touched(local) : local
    }
    // @note An unshared store is read back only for sessions this node released itself:
    // otherwise the registry is the truth, and a record whose delete failed cannot come back.
    if (!this.#ctx.shared && !this.#registry.isDormant(id)) return undefined
    return this.#hydrateOnce(id, caller)
  }

  /** A local session of a shared store, once the store confirmed the record (and its TTL was refreshed). */
  async #touched(local: LiveSession): Promise<LiveSession | undefined> {
    const { store, clock, settings } = this.#ctx
    const now = clock.now()
    if (await store.touch(local.id, now, settings.storeTtlMs)) {
      local.storeTouchedAt = now
      return local.closing ? undefined : local
    }
    await this.#registry.end(local.id, 'released')
    return undefined
  }

  /** Bounded: a waiter whose principal differs from the first caller's hydrates once itself. */
  async #hydrateOnce(id: string, caller: Caller): Promise<LiveSession | undefined> {
    for (let attempt = 0; attempt < 2; attempt++) {
      let pending = this.#hydrating.get(id)
      const mine = !pending
      if (!pending) {
        pending = this.#hydrate(id, caller).finally(() => this.#hydrating.delete(id))
        this.#hydrating.set(id, pending)
      }
      const result = await pending
      if (result === undefined) return undefined
      if ('transport' in result) return result.principal === caller.principal && !result.closing ? result : undefined
      // The record belongs to someone else: answered as unknown, nothing was built.
      if (mine || result.principal === caller.principal) return undefined
    }
    return undefined
  }

  /** A live session from the store's record; a record of another principal is returned unbuilt. */
  async #hydrate(id: string, caller: Caller): Promise<LiveSession | SessionRecord | undefined> {
    const { shared, store, clock, settings } = this.#ctx
    const record = await store.get(id)
    if (!record) return undefined
    if (record.principal !== caller.principal) return record
    if (shared && !(await store.touch(id, clock.now(), settings.storeTtlMs))) return undefined
    const session = await this.#factory.hydrate(record, caller)
    this.#wire(session)
    this.#registry.add(session, 'hydrated')
    return session
  }
}
