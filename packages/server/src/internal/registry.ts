import type { CloseReason } from '../options.js'
import type { ManagerContext } from './context.js'
import type { Heartbeat } from './heartbeat.js'
import { IdleQueue } from './idle-queue.js'
import type { LiveSession } from './live-session.js'

/**
 * Why a session leaves this node: one of the reasons a session ends, or
 * `released`: only its local objects go (`maxLocalSessions`, a shared record
 * that vanished, a node's shutdown with a shared store) and the session lives
 * on in the store.
 */
export type TeardownReason = CloseReason | 'released'

/** A released session of an unshared store: its record is still in the store, and it is still ours to expire. */
interface Dormant {
  announced: boolean
}

/**
 * Owns which sessions this node holds: the live sessions, the dormant ones
 * (released from memory, record kept, unshared store only), the idle order
 * and the lifetime policy built on it (idle expiry, `maxSessions`,
 * `maxLocalSessions`), and the ONE teardown path every session leaves by.
 */
export class SessionRegistry {
  readonly #ctx: ManagerContext
  readonly #heartbeat: Heartbeat
  readonly #dispose: (session: LiveSession) => Promise<void>
  readonly #live = new Map<string, LiveSession>()
  readonly #dormant = new Map<string, Dormant>()
  /** Live sessions with nothing in flight, least recently active first. */
  readonly #idle: IdleQueue
  /** Dormant sessions, least recently active first: they expire like live ones. */
  readonly #dormantIdle: IdleQueue

  constructor(ctx: ManagerContext, heartbeat: Heartbeat, dispose: (session: LiveSession) => Promise<void>) {
    this.#ctx = ctx
    this.#heartbeat = heartbeat
    this.#dispose = dispose
    const { clock, settings, shared } = ctx
    // @note With a shared store an idle session expires by the store's TTL (no scan, every
    // node agrees); locally it is only released. Alone, the manager ends it here.
    this.#idle = new IdleQueue(clock, settings.idleTimeoutMs, id => void this.end(id, shared ? 'released' : 'idle'))
    this.#dormantIdle = new IdleQueue(clock, settings.idleTimeoutMs, id => void this.end(id, 'idle'))
  }

  /** Live sessions on this node. */
  get size(): number {
    return this.#live.size
  }

  get(id: string): LiveSession | undefined {
    return this.#live.get(id)
  }

  /** Released from memory but not ended (unshared store): its record may be read back. */
  isDormant(id: string): boolean {
    return this.#dormant.has(id)
  }

  /** True while `session` is the one registered under its id and not being torn down. */
  holds(session: LiveSession): boolean {
    return !session.closing && this.#live.get(session.id) === session
  }

  /** Every session this node would end on shutdown: live and dormant. */
  ids(): string[] {
    return [...this.#live.keys(), ...this.#dormant.keys()]
  }

  /**
   * Registers a live session. A new one first makes room under `maxSessions`
   * (unshared store); a hydrated one starts idle. Either way the node then
   * keeps at most `maxLocalSessions` objects.
   */
  add(session: LiveSession, how: 'new' | 'hydrated'): void {
    const dormant = this.#dormant.get(session.id)
    if (dormant) {
      this.#dormant.delete(session.id)
      this.#dormantIdle.remove(session.id)
      session.announced = dormant.announced
    }
    // @note With a shared store, maxSessions is not enforced: counting all sessions would need a
    // scan. Bound Redis with its maxmemory and the TTLs; bound this node with maxLocalSessions.
    if (how === 'new' && !this.#ctx.shared) this.#evictFor(session.id)
    this.#live.set(session.id, session)
    if (how === 'hydrated') this.#idle.add(session.id, this.#ctx.clock.now())
    this.#trimLocal(session.id)
  }

  /** A request or stream began: the session cannot go idle until it {@link finish}es. */
  begin(session: LiveSession): void {
    const first = session.busy++ === 0
    if (first) this.#idle.remove(session.id)
    this.#heartbeat.began(session, first)
  }

  finish(session: LiveSession): void {
    if (--session.busy > 0) return
    this.#heartbeat.rested(session)
    if (this.holds(session)) this.#idle.add(session.id, this.#ctx.clock.now())
  }

  /**
   * The one way a session leaves this node. Synchronous up to the first
   * await (so concurrent callers see it gone at once); then every step runs
   * even when an earlier one throws: local objects, the store record (unless
   * `released`), and `onSessionClosed` once for an announced session.
   * Resolves `false` when there was nothing to tear down.
   */
  async end(id: string, reason: TeardownReason): Promise<boolean> {
    const live = this.#live.get(id)
    const dormant = this.#dormant.get(id)
    let announced: boolean
    // A released session keeps its record while someone can come back for it.
    let keepRecord = reason === 'released'
    if (live && !live.closing) {
      live.closing = true
      const since = this.#idle.since(id) ?? this.#ctx.clock.now()
      this.#live.delete(id)
      this.#idle.remove(id)
      this.#heartbeat.rested(live)
      announced = live.announced
      if (keepRecord && !this.#ctx.shared) {
        keepRecord = announced
        if (announced) {
          this.#dormant.set(id, { announced })
          this.#dormantIdle.add(id, since)
        }
      }
    } else if (dormant && reason !== 'released') {
      this.#dormant.delete(id)
      this.#dormantIdle.remove(id)
      announced = dormant.announced
    } else {
      return false
    }
    try {
      if (live) await this.#dispose(live)
    } finally {
      if (!keepRecord) await this.#forget(id, reason === 'released' ? 'closed' : reason, announced)
    }
    return true
  }

  /** Stops the idle timers (shutdown). */
  stop(): void {
    this.#idle.stop()
    this.#dormantIdle.stop()
  }

  async #forget(id: string, reason: CloseReason, announced: boolean): Promise<void> {
    try {
      await this.#ctx.store.delete(id)
    } catch (error) {
      this.#ctx.report('MCPS_STORE_FAILED', `Failed to delete session "${id}" from the store`, error)
    } finally {
      if (announced) this.#ctx.hook('onSessionClosed', id, reason)
    }
  }

  /**
   * Makes room for one session, least recently active first (idle and
   * dormant sessions before busy ones). Synchronous up to the registration,
   * so concurrent initializes cannot overshoot `maxSessions`; victims close in
   * the background.
   */
  #evictFor(newcomer: string): void {
    const limit = this.#ctx.settings.maxSessions
    for (let guard = this.#live.size + this.#dormant.size; this.#live.size + this.#dormant.size >= limit && guard > 0; guard--) {
      const victim = this.#leastRecentlyActive() ?? this.#live.keys().next().value
      if (victim === undefined || victim === newcomer) break
      void this.end(victim, 'evicted')
    }
  }

  #leastRecentlyActive(): string | undefined {
    const live = this.#idle.oldestSince()
    const dormant = this.#dormantIdle.oldestSince()
    if (dormant !== undefined && (live === undefined || dormant <= live)) return this.#dormantIdle.oldest()
    return this.#idle.oldest()
  }

  /** Keeps at most `maxLocalSessions` objects here: releases the least recently active idle ones. */
  #trimLocal(keep: string): void {
    for (let guard = this.#live.size; this.#live.size > this.#ctx.settings.maxLocalSessions && guard > 0; guard--) {
      const victim = this.#idle.oldest()
      if (victim === undefined || victim === keep) break
      void this.end(victim, 'released')
    }
  }
}
