import type { Clock } from '../clock.js'
import { MemoryEventPool } from '../memory-event-pool.js'
import type { SessionManagerOptions } from '../options.js'
import type { SessionStore } from '../session-store.js'
import { runHook, type Report } from './reporter.js'
import type { Settings } from './settings.js'

export type HookName = 'onSessionCreated' | 'onSessionClosed' | 'onStreamDetached' | 'onStreamReattached'

/** What every part of one manager reads: its options, settings, clock, store and reporter. Immutable. */
export interface ManagerContext {
  readonly options: SessionManagerOptions
  readonly settings: Settings
  readonly clock: Clock
  readonly store: SessionStore
  /** The store is shared with other nodes (Redis): see `SessionStore.shared`. */
  readonly shared: boolean
  readonly report: Report
  /** The node-wide byte budget of the default in-memory event stores (`maxEventBytes`). */
  readonly eventPool: MemoryEventPool
  /** Calls a user hook; a throw or rejection is reported, never propagated. */
  hook<K extends HookName>(name: K, ...args: Parameters<NonNullable<SessionManagerOptions[K]>>): void
}

export function createContext(options: SessionManagerOptions, settings: Settings, clock: Clock, store: SessionStore, report: Report): ManagerContext {
  return {
    options,
    settings,
    clock,
    store,
    shared: store.shared === true,
    report,
    eventPool: new MemoryEventPool({ maxBytes: settings.maxEventBytes }),
    hook: (name, ...args) => runHook(report, name, options[name], args)
  }
}
