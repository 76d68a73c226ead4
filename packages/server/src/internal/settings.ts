import { DEFAULTS } from '../defaults.js'
import type { SessionManagerOptions } from '../options.js'
import { hostPolicy, type HostPolicy } from './host-policy.js'

/** The options with every default applied, computed once per manager. */
export interface Settings {
  idleTimeoutMs: number
  maxSessions: number
  /** `Infinity` unless `maxLocalSessions` is set. */
  maxLocalSessions: number
  streamGraceMs: number
  maxEventsPerSession: number
  streamKeepAliveMs: number
  maxBodyBytes: number
  maxSessionsPerPrincipal: number
  maxEventBytesPerSession: number
  maxEventBytes: number
  maxInitializeBytes: number
  bodyTimeoutMs: number
  hosts: HostPolicy
  /** How often the store hears that a busy session is alive: well within its TTL. */
  touchEveryMs: number
  /** The TTL a record gets on create and on every touch. */
  storeTtlMs: number
}

export function resolveSettings(options: SessionManagerOptions): Settings {
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULTS.maxBodyBytes
  const idleTimeoutMs = options.idleTimeoutMs ?? DEFAULTS.idleTimeoutMs
  const touchEveryMs = Math.min(60_000, Math.floor(idleTimeoutMs / 4))
  return {
    idleTimeoutMs,
    maxSessions: Math.max(1, options.maxSessions ?? DEFAULTS.maxSessions),
    maxLocalSessions: Math.max(1, options.maxLocalSessions ?? Infinity),
    streamGraceMs: options.streamGraceMs ?? DEFAULTS.streamGraceMs,
    maxEventsPerSession: options.maxEventsPerSession ?? DEFAULTS.maxEventsPerSession,
    streamKeepAliveMs: options.streamKeepAliveMs ?? DEFAULTS.streamKeepAliveMs,
    maxBodyBytes,
    maxSessionsPerPrincipal: Math.max(1, options.maxSessionsPerPrincipal ?? DEFAULTS.maxSessionsPerPrincipal),
    maxEventBytesPerSession: options.maxEventBytesPerSession ?? DEFAULTS.maxEventBytesPerSession,
    maxEventBytes: options.maxEventBytes ?? DEFAULTS.maxEventBytes,
    maxInitializeBytes: Math.min(maxBodyBytes, options.maxInitializeBytes ?? DEFAULTS.maxInitializeBytes),
    bodyTimeoutMs: options.bodyTimeoutMs ?? DEFAULTS.bodyTimeoutMs,
    hosts: hostPolicy(options.allowedHosts, options.allowedOrigins),
    touchEveryMs,
    storeTtlMs: idleTimeoutMs + touchEveryMs
  }
}
