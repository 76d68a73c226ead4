import type { ClientCapabilities, Implementation } from '@modelcontextprotocol/sdk/types.js'

/**
 * What a node needs to rebuild a session's transport without replaying
 * `initialize`: the same shape as the patched SDK's `SessionState` (fix
 * 1658-hydrate), kept as plain JSON so any store can hold it.
 *
 * @example
 * const state: SessionState = {
 *   sessionId: 'T3hG…', protocolVersion: '2025-11-25',
 *   clientInfo: { name: 'inspector', version: '1.0.0' }, clientCapabilities: {}
 * }
 */
export interface SessionState {
  sessionId: string
  protocolVersion: string
  clientInfo: Implementation
  clientCapabilities: ClientCapabilities
}

/**
 * One session as a store keeps it: the hydrate state, the principal the
 * session is bound to, and timestamps in milliseconds since the epoch.
 *
 * @example
 * await store.create({ id, state, principal: 'client-42', createdAt: now, lastActiveAt: now }, 1_800_000)
 */
export interface SessionRecord {
  id: string
  state: SessionState
  /** The caller the session is bound to; `undefined` binds it to unauthenticated callers. */
  principal: string | undefined
  createdAt: number
  lastActiveAt: number
  /** Whose quota (`maxSessionsPerPrincipal`) the session counts against: its principal, or its caller's address. */
  owner?: string
}

/**
 * Where session records live. Every method is async, even in memory, so a
 * shared store (Redis) drops in without changing the manager. A store expires
 * a record `ttlMs` after its last `create` or `touch`; `get` never returns an
 * expired record. Run `tests/packages/server/store-contract.ts` against any
 * implementation.
 *
 * @example
 * class MyStore implements SessionStore {
 *   async create(record, ttlMs) { … }
 *   async get(id) { … }
 *   async touch(id, lastActiveAt, ttlMs) { … }
 *   async delete(id) { … }
 * }
 */
export interface SessionStore {
  /** Saves a new record; resolves `false` (and changes nothing) when the id already exists. */
  create(record: SessionRecord, ttlMs: number): Promise<boolean>
  /** The live record, or `undefined` for an unknown, deleted or expired id. */
  get(id: string): Promise<SessionRecord | undefined>
  /** Moves `lastActiveAt` forward and restarts the TTL; resolves `false` when the record is gone. */
  touch(id: string, lastActiveAt: number, ttlMs: number): Promise<boolean>
  /** Removes the record; resolves `true` when it existed. */
  delete(id: string): Promise<boolean>
  /** Releases connections or timers; the manager calls it from `shutdown()`. */
  close?(): Promise<void>
  /**
   * `true` when other nodes see the same records (Redis). The manager then
   * checks the record on every request (a DELETE or expiry anywhere ends the
   * session everywhere), lets the store's TTL expire idle sessions instead of
   * ending them itself, and on `shutdown()` leaves sessions alive for the other nodes.
   */
  readonly shared?: boolean
  /**
   * Shared stores: how many live sessions `owner` holds across all nodes
   * (records created with that `owner`), so `maxSessionsPerPrincipal` holds
   * across nodes. Without it a shared store's quota counts this node only.
   * `atMost` (the quota): counting may stop there, so an initialize costs at
   * most that many record lookups however many sessions the owner had.
   */
  countOwned?(owner: string, atMost?: number): Promise<number>
}
