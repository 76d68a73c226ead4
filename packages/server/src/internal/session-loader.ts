import type { SessionRelay } from '../session-relay.js'
import type { SessionRecord } from '../session-store.js'
import type { ManagerContext } from './context.js'
import type { LiveSession } from './live-session.js'
import type { SessionRegistry } from './registry.js'
import type { Caller, SessionFactory } from './session-factory.js'

/**
 * The one place a session id becomes a live session: this node's registry,
 * or on a miss the store (a shared store, or a dormant session of this
 * node): read the record, check the principal, hydrate through the factory.
 * One hydrate in flight per id. With a shared store a request also
 * refreshes the record's TTL, and a record gone from the store (DELETE or
 * expiry on any node) releases the local copy. Throws when the store or
 * the build fails.
 *
 * @note With a relay that carries session ends, a session this node checked
 * less than {@link freshWindowMs} ago is served without a store call: an end
 * announced by another node releases the copy at once, and an announcement
 * lost on the way is caught by the next check, at most that window later.
 * While the relay says it cannot hear ends (Redis away), every request checks
 * (and gets 503 from the store at once, before any tool runs). The
 * record's TTL (idle timeout + refresh interval) is far longer than the window.
 */
export class SessionLoader {
  readonly #ctx: ManagerContext
  readonly #registry: SessionRegistry
  readonly #factory: SessionFactory
  readonly #wire: (session: LiveSession) => void
  readonly #hydrating = new Map<string, Promise<LiveSession | SessionRecord | undefined>>()
  /** Ids whose end was announced while they were being hydrated here: not served once built. */
  readonly #endedWhileHydrating = new Set<string>()
  /** How long a check of the store stands; 0 (check on every request) until this node hears ends. */
  #freshMs = 0
  /** Checks made before this (manager clock) do not count: ends may have been missed then. */
  #checkedAfter = -Infinity
  readonly #relay: SessionRelay | undefined

  /** `wire`: what the manager adds to a built session before it serves (answer routing). */
  constructor(ctx: ManagerContext, registry: SessionRegistry, factory: SessionFactory, wire: (session: LiveSession) => void) {
    this.#ctx = ctx
    this.#registry = registry
    this.#factory = factory
    this.#wire = wire
    const relay = this.#relay = ctx.options.relay
    if (!ctx.shared || !relay?.announceEnd || !relay.listenEnds) return
    Promise.resolve(relay.listenEnds(id => this.#ended(id)))
      .then(() => (this.#freshMs = freshWindowMs(ctx.settings.touchEveryMs)))
      .catch(error => ctx.report('MCPS_STORE_FAILED', 'Failed to listen for sessions ended on other nodes: checking the store on every request', error))
  }

  /** Synchronous for a session this node holds without a store call (an unshared store, or checked recently). */
  load(id: string, caller: Caller): LiveSession | undefined | Promise<LiveSession | undefined> {
    const local = this.#registry.get(id)
    // @note A foreign principal is answered exactly like an unknown id, so ids cannot be probed.
    if (local) {
      if (local.closing || local.principal !== caller.principal) return undefined
      if (!this.#ctx.shared) return local
      const now = this.#ctx.clock.now()
      return this.#fresh(local, now) ? local : this.#touched(local, now)
    }
    // @note An unshared store is read back only for sessions this node released itself:
    // otherwise the registry is the truth, and a record whose delete failed cannot come back.
    if (!this.#ctx.shared && !this.#registry.isDormant(id)) return undefined
    return this.#hydrateOnce(id, caller)
  }

  /** A local session of a shared store, once the store confirmed the record (and its TTL was refreshed). */
  async #touched(local: LiveSession, now: number): Promise<LiveSession | undefined> {
    const { store, settings } = this.#ctx
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
        pending = this.#hydrate(id, caller).finally(() => {
          this.#hydrating.delete(id)
          this.#endedWhileHydrating.delete(id)
        })
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
    if (!this.#endedWhileHydrating.has(id)) return session
    await this.#registry.end(id, 'released')
    return undefined
  }

  /** Checked recently enough to be served without the store (see the class note). */
  #fresh(session: LiveSession, now: number): boolean {
    const age = now - session.storeTouchedAt
    return age >= 0 && age < this.#freshMs && session.storeTouchedAt > this.#checkedAfter && this.#relay?.hearsEnds !== false
  }

  /** Another node (or this one) announced that `id` ended: its record is gone, so is this node's copy. `undefined`: any may have. */
  #ended(id: string | undefined): void {
    if (id === undefined) {
      this.#checkedAfter = this.#ctx.clock.now()
      return
    }
    if (this.#registry.get(id)) void this.#registry.end(id, 'released')
    else if (this.#hydrating.has(id)) this.#endedWhileHydrating.add(id)
  }
}

/**
 * How long a node that hears ends serves a session on its last check of the
 * store: at most 1 s (what a lost announcement can cost), never more than the
 * refresh interval.
 */
export const freshWindowMs = (touchEveryMs: number) => Math.min(1_000, touchEveryMs)
