// Session manager
export { createSessionManager, SessionManager, DEFAULTS } from './session-manager.js'
export type { HandleRequestOptions } from './session-manager.js'
export type { CloseReason, SessionContext, SessionInfo, SessionManagerOptions, StreamInfo } from './options.js'

// Stores
export { MemorySessionStore } from './memory-session-store.js'
export type { SessionRecord, SessionState, SessionStore } from './session-store.js'
export { MemoryEventStore } from './memory-event-store.js'
export type { EventIdProblem, MemoryEventStoreOptions } from './memory-event-store.js'
export type { EventSink, SessionEventStore } from './session-event-store.js'

// Multi-node
export type { SessionRelay } from './session-relay.js'

// Time
export { systemClock } from './clock.js'
export type { Clock } from './clock.js'

// Errors
export { SessionManagerError } from './errors.js'
export type { SessionErrorCode } from './errors.js'
