// Session manager
export { createSessionManager, SessionManager } from './session-manager.js'
export type { HandleRequestOptions } from './session-manager.js'
export { DEFAULTS } from './defaults.js'
export type { CloseReason, SessionContext, SessionInfo, SessionManagerOptions, StreamInfo } from './options.js'

// Session stores
export { MemorySessionStore } from './memory-session-store.js'
export type { SessionRecord, SessionState, SessionStore } from './session-store.js'

// Event stores
export { GET_STREAM_ID } from './session-event-store.js'
export type { EventIdProblem, EventSink, SessionEventStore } from './session-event-store.js'
export { MemoryEventStore } from './memory-event-store.js'
export type { MemoryEventStoreOptions } from './memory-event-store.js'
export { MemoryEventPool } from './memory-event-pool.js'

// Multi-node
export type { SessionRelay } from './session-relay.js'

// Time
export { systemClock } from './clock.js'
export type { Clock } from './clock.js'

// Errors
export { SessionManagerError, SESSION_ERRORS } from './errors.js'
export type { SessionErrorCode } from './errors.js'
