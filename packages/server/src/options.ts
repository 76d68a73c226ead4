import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import type { Server } from '@modelcontextprotocol/sdk/server/index.js'
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js'
import type { EventStore, WebStandardStreamableHTTPServerTransportOptions } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js'
import type { Clock } from './clock.js'
import type { SessionManagerError } from './errors.js'
import type { SessionEventStore } from './session-event-store.js'
import type { SessionRelay } from './session-relay.js'
import type { SessionState, SessionStore } from './session-store.js'

/**
 * Why a session ended: the client sent DELETE, it was idle too long, it was
 * evicted to stay under `maxSessions`, the manager shut down, or it was closed
 * explicitly (`manager.close(id)`, or the MCP server closed itself).
 *
 * @example
 * onSessionClosed: (id, reason) => { if (reason === 'evicted') metrics.increment('evictions') }
 */
export type CloseReason = 'delete' | 'idle' | 'evicted' | 'shutdown' | 'closed'

/**
 * What `createServer` gets for a new session.
 *
 * @example
 * createServer: ({ sessionId, principal }) => buildServer({ user: principal, logPrefix: sessionId })
 */
export interface SessionContext {
  sessionId: string
  principal: string | undefined
  authInfo: AuthInfo | undefined
  /** The initialize request (its body is already consumed); for a hydrated session, the request that needed it. */
  request: Request
  /**
   * `true` when the session already exists (created on another node, or
   * dropped from this node's memory) and is continued here from the store:
   * no initialize runs and `onSessionCreated` does not fire.
   */
  hydrated?: boolean
}

/**
 * A session as hooks see it.
 *
 * @example
 * onSessionCreated: session => log.info({ id: session.id, client: session.state.clientInfo.name })
 */
export interface SessionInfo {
  id: string
  principal: string | undefined
  state: SessionState
  createdAt: number
}

/**
 * A stream event: `streamId` is the event-store stream (`_GET_stream` for the
 * standalone GET stream); it is `undefined` for a stream that never carried an
 * event id (protocol versions before 2025-11-25 send no priming event).
 *
 * @example
 * onStreamDetached: (id, { streamId }) => log.debug(`stream ${streamId} of ${id} detached`)
 */
export interface StreamInfo {
  streamId: string | undefined
  /** On reattach: the `Last-Event-ID` the client resumed from. */
  lastEventId?: string
}

/**
 * Options of {@link createSessionManager}. Only `createServer` is required.
 *
 * @example
 * createSessionManager({ createServer: () => buildServer(), idleTimeoutMs: 10 * 60_000, maxSessions: 1_000 })
 */
export interface SessionManagerOptions {
  /** Builds the MCP server for one new session; it is connected to that session's transport. */
  createServer: (context: SessionContext) => McpServer | Server | Promise<McpServer | Server>
  /** A session with no request and no open stream for this long ends with reason `idle`. Default 30 min. */
  idleTimeoutMs?: number
  /**
   * Sessions this node holds (unshared store). A new one beyond it evicts the
   * least recently active idle session; a session with a request in flight or
   * a stream open is never evicted, and when every session is busy a new
   * initialize gets 503 with Retry-After. Default 10_000.
   */
  maxSessions?: number
  /**
   * Sessions one caller may hold (its principal; without one, its network
   * address). At the quota a new initialize ends that caller's own least
   * recently active idle session, never another caller's; with all of them
   * busy it gets 429. Default 100.
   */
  maxSessionsPerPrincipal?: number
  /** How long messages for a dropped stream are kept for a `Last-Event-ID` resume. Default 5 min. */
  streamGraceMs?: number
  /** Interval of SSE comment frames on open streams, so dead connections are noticed; 0 turns them off. Default 15_000. */
  streamKeepAliveMs?: number
  /** Most messages kept per session for resumes, over all its streams. Default 1_000. */
  maxEventsPerSession?: number
  /** Most bytes of messages kept per session for resumes (oldest dropped first). Default 8 MiB. */
  maxEventBytesPerSession?: number
  /** Most bytes of messages kept for resumes by all sessions of this manager together (oldest dropped first). Default 256 MiB. */
  maxEventBytes?: number
  /**
   * Who the caller is; a session answers only to the principal that created
   * it, anyone else gets 404 as for an unknown session. Default:
   * `authInfo?.clientId` (set by the SDK's bearer-auth middleware as `req.auth`),
   * so without auth every caller is `undefined` and ids alone identify sessions.
   */
  principal?: (context: { authInfo: AuthInfo | undefined; request: Request }) => string | undefined
  /** Where session records live. Default: a {@link MemorySessionStore}. */
  store?: SessionStore
  /**
   * Builds the event store of one session on this node (messages kept for
   * resumes); a plain SDK `EventStore` works too. Default: a
   * {@link MemoryEventStore} bounded by `maxEventsPerSession` and `streamGraceMs`.
   */
  eventStore?: (context: { sessionId: string }) => SessionEventStore | EventStore
  /**
   * Most session objects this node keeps in memory. Beyond it the least
   * recently active idle one is released WITHOUT ending the session: its
   * record stays in the store and its next request rehydrates it (on any
   * node, with a shared store). Releasing ends nothing and fires no hook. A
   * released session stays under the lifetime policy: with an unshared store
   * this node still expires it after `idleTimeoutMs`, counts it against
   * `maxSessions`, may evict it, and fires `onSessionClosed` when it ends;
   * with a shared store the store's TTL expires it. Default: unbounded.
   * @note With the default in-memory event store, a released session's stored
   * events go with it: a later `Last-Event-ID` resume gets 400. Use a shared
   * event store (Redis) when streams must survive the release.
   */
  maxLocalSessions?: number
  /** Routes a client's answer to a server-initiated request to the node that sent it (multi-node). */
  relay?: SessionRelay
  /** Largest POST body of a session, in bytes (413 above, refused from `Content-Length` before reading). Default 4 MiB, as the SDK. */
  maxBodyBytes?: number
  /**
   * Largest body of a POST without `Mcp-Session-Id` (an initialize), in
   * bytes: it also bounds the state a session keeps (client info and
   * capabilities). Default 64 KiB.
   */
  maxInitializeBytes?: number
  /** Time allowed to receive a request body (408 after it). Default 30 s. */
  bodyTimeoutMs?: number
  /**
   * Host names this endpoint answers to (DNS rebinding protection), each
   * optionally with `:port`; others get 403 before anything else runs.
   * Default: `localhost`, `127.0.0.1`, `[::1]`, any port. Name your public
   * host(s) when clients reach the server by name. `'any'` turns the check off.
   */
  allowedHosts?: readonly string[] | 'any'
  /**
   * Origins (`https://app.example.com`) allowed to call the endpoint; a
   * request with another `Origin` gets 403. A request without `Origin` (not
   * from a browser) is allowed. Default: http(s) origins on an allowed host.
   */
  allowedOrigins?: readonly string[] | 'any'
  /** Passed to each session's SDK transport. */
  transport?: Pick<WebStandardStreamableHTTPServerTransportOptions, 'retryInterval'>
  /** Time source and timers; inject one in tests. */
  clock?: Clock
  onSessionCreated?: (session: SessionInfo) => void | Promise<void>
  onSessionClosed?: (sessionId: string, reason: CloseReason) => void | Promise<void>
  onStreamDetached?: (sessionId: string, stream: StreamInfo) => void | Promise<void>
  onStreamReattached?: (sessionId: string, stream: StreamInfo) => void | Promise<void>
  /** Failures that do not reach a client (a hook threw, the store failed). Default: `console.warn`. */
  onError?: (error: SessionManagerError) => void
}
