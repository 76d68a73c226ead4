/**
 * The defaults, justified in the README ("Lifetime policy and defaults").
 *
 * @example
 * createSessionManager({ createServer, idleTimeoutMs: DEFAULTS.idleTimeoutMs / 2 })
 */
export const DEFAULTS = {
  idleTimeoutMs: 30 * 60_000,
  maxSessions: 10_000,
  streamGraceMs: 5 * 60_000,
  maxEventsPerSession: 1_000,
  streamKeepAliveMs: 15_000,
  maxBodyBytes: 4 * 1024 * 1024,
  maxSessionsPerPrincipal: 100,
  maxEventBytesPerSession: 8 * 1024 * 1024,
  maxEventBytes: 256 * 1024 * 1024,
  maxInitializeBytes: 64 * 1024,
  bodyTimeoutMs: 30_000
} as const
