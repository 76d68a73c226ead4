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
  owner: string
}

/** Why a new session cannot be admitted: its caller is at its quota, or the node at capacity, with every candidate busy. */
export type AdmissionRefusal = 'MCPS_TOO_MANY_SESSIONS' | 'MCPS_AT_CAPACITY'

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
  /** Per owner (principal, or address): its live and dormant session ids, for the quota. */
  readonly #owned = new Map<string, Set<string>>()

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
   * Whether a new session of `owner` would fit: room, or an idle session to
   * make room with (the owner's own at its quota; the least recently active
   * at capacity). Reads only; {@link add} makes the room.
   */
  admissible(owner: string): AdmissionRefusal | undefined {
    return this.#room(owner).refused
  }

  /**
   * Registers a live session. A new one first makes room: at its owner's
   * quota that owner's least recently active idle session ends, at
   * `maxSessions` (unshared store) the node's; a busy session never does.
   * Returns the refusal when no room can be made (nothing changed then).
   * A hydrated one starts idle. Either way the node then keeps at most
   * `maxLocalSessions` objects.
   */
  add(session: LiveSession, how: 'new' | 'hydrated'): AdmissionRefusal | undefined {
    if (how === 'new') {
      const room = this.#room(session.owner)
      if (room.refused) return room.refused
      for (const victim of room.victims) void this.end(victim, 'evicted')
    }
    const dormant = this.#dormant.get(session.id)
    if (dormant) {
      this.#forgetDormant(session.id)
      session.announced = dormant.announced
    }
    this.#live.set(session.id, session)
    this.#own(session.owner, session.id)
    if (how === 'hydrated') this.#idle.add(session.id, this.#ctx.clock.now())
    this.#trimLocal(session.id)
    return undefined
  }

  /** A request or stream began: the session cannot go idle until it {@link finish}es. */
  begin(session: LiveSession): void {
    const first = session.busy++ === 0
    if (first) this.#idle.hold(session.id)
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
      this.#disown(live.owner, id)
      if (keepRecord && !this.#ctx.shared) {
        keepRecord = announced
        if (announced) {
          this.#dormant.set(id, { announced, owner: live.owner })
          this.#dormantIdle.add(id, since)
          this.#own(live.owner, id)
        }
      }
    } else if (dormant && reason !== 'released') {
      this.#forgetDormant(id)
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
    const { store, shared, options } = this.#ctx
    try {
      await store.delete(id)
      // After the delete: a node that hears the end and comes back for the record finds it gone.
      if (shared) await options.relay?.announceEnd?.(id)
    } catch (error) {
      this.#ctx.report('MCPS_STORE_FAILED', `Failed to delete session "${id}" from the store, or to announce its end`, error)
    } finally {
      if (announced) this.#ctx.hook('onSessionClosed', id, reason)
    }
  }

  /**
   * The sessions that must end for one more of `owner`'s (unshared store):
   * at its quota its own least recently active idle one, then at
   * `maxSessions` the node's least recently active idle one. A busy session is never
   * picked; when no idle one is there, the refusal.
   */
  #room(owner: string): { victims: string[]; refused?: AdmissionRefusal } {
    const { settings, shared } = this.#ctx
    const victims: string[] = []
    // @note With a shared store the quota is counted by the store across nodes (the dispatcher asks it),
    // and a session idle here may be busy on another node: nothing is evicted for it.
    if (!shared && (this.#owned.get(owner)?.size ?? 0) >= settings.maxSessionsPerPrincipal) {
      const own = this.#leastRecentlyActiveOf(owner)
      if (own === undefined) return { victims, refused: 'MCPS_TOO_MANY_SESSIONS' }
      victims.push(own)
    }
    // @note With a shared store, maxSessions is not enforced: counting all sessions would need a
    // scan. Bound Redis with its maxmemory and the TTLs; bound this node with maxLocalSessions.
    if (!shared && this.#live.size + this.#dormant.size - victims.length >= settings.maxSessions) {
      const any = this.#leastRecentlyActive(victims[0])
      if (any === undefined) return { victims: [], refused: 'MCPS_AT_CAPACITY' }
      victims.push(any)
    }
    return { victims }
  }

  /** The node's least recently active idle session, live or dormant, other than `except`. */
  #leastRecentlyActive(except: string | undefined): string | undefined {
    const candidates = [this.#idle, this.#dormantIdle].flatMap(queue => queue.oldestTwo())
      .filter(entry => entry.id !== except)
      .sort((a, b) => a.since - b.since)
    return candidates[0]?.id
  }

  /** `owner`'s least recently active idle session; bounded by the quota. */
  #leastRecentlyActiveOf(owner: string): string | undefined {
    let best: { id: string; since: number } | undefined
    for (const id of this.#owned.get(owner) ?? []) {
      const since = this.#idle.since(id) ?? this.#dormantIdle.since(id)
      if (since !== undefined && (!best || since < best.since)) best = { id, since }
    }
    return best?.id
  }

  #own(owner: string, id: string): void {
    let ids = this.#owned.get(owner)
    if (!ids) this.#owned.set(owner, (ids = new Set()))
    ids.add(id)
  }

  #disown(owner: string, id: string): void {
    const ids = this.#owned.get(owner)
    if (!ids?.delete(id) || ids.size > 0) return
    this.#owned.delete(owner)
  }

  #forgetDormant(id: string): void {
    const dormant = this.#dormant.get(id)
    if (!dormant) return
    this.#dormant.delete(id)
    this.#dormantIdle.remove(id)
    this.#disown(dormant.owner, id)
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
