import type { ManagerContext } from './context.js'
import type { LiveSession } from './live-session.js'

/**
 * Keeps the store's TTL of active sessions fresh. Every request refreshes a
 * record at most once per `touchEveryMs`; with a shared store an open stream
 * is activity too, so while any session here is busy ONE timer refreshes the
 * busy ones (only those) every `touchEveryMs`.
 */
export class Heartbeat {
  readonly #ctx: ManagerContext
  /** Shared store only: sessions with a request in flight or a stream open. */
  readonly #busy = new Set<LiveSession>()
  #timer: unknown
  #stopped = false

  constructor(ctx: ManagerContext) {
    this.#ctx = ctx
  }

  /** A request or stream began on `session`; `first` when it was idle until now. */
  began(session: LiveSession, first: boolean): void {
    if (first && this.#ctx.shared) {
      this.#busy.add(session)
      this.#arm()
    }
    this.#touchIfDue(session, this.#ctx.clock.now())
  }

  /** The session has nothing in flight any more, or left this node. */
  rested(session: LiveSession): void {
    this.#busy.delete(session)
  }

  stop(): void {
    this.#stopped = true
    if (this.#timer !== undefined) this.#ctx.clock.clearTimeout(this.#timer)
    this.#timer = undefined
  }

  #touchIfDue(session: LiveSession, now: number): void {
    const { store, settings, report } = this.#ctx
    if (now - session.storeTouchedAt < settings.touchEveryMs) return
    session.storeTouchedAt = now
    store.touch(session.id, now, settings.storeTtlMs).catch(error =>
      report('MCPS_STORE_FAILED', `Failed to touch session "${session.id}" in the store`, error))
  }

  #arm(): void {
    if (this.#timer !== undefined || this.#stopped) return
    this.#timer = this.#ctx.clock.setTimeout(() => {
      this.#timer = undefined
      const now = this.#ctx.clock.now()
      for (const session of this.#busy) this.#touchIfDue(session, now)
      if (this.#busy.size > 0) this.#arm()
    }, this.#ctx.settings.touchEveryMs)
  }
}
