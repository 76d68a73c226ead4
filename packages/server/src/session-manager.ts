import type { IncomingMessage, ServerResponse } from 'node:http'
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js'
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import type { Server } from '@modelcontextprotocol/sdk/server/index.js'
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js'
import { SUPPORTED_PROTOCOL_VERSIONS, type JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js'
import { systemClock, type Clock } from './clock.js'
import type { SessionErrorCode } from './errors.js'
import { MemoryEventStore } from './memory-event-store.js'
import type { SessionEventStore } from './session-event-store.js'
import { MemorySessionStore } from './memory-session-store.js'
import type { CloseReason, SessionManagerOptions } from './options.js'
import type { SessionRecord, SessionStore } from './session-store.js'
import { DEFAULT_MAX_BODY_BYTES, NOT_JSON, TOO_LARGE, classify, parseJson, readWebBody, stateFromInitialize } from './internal/body.js'
import { IdleQueue } from './internal/idle-queue.js'
import { readNodeBody, toWebRequest, writeWebResponse } from './internal/node-http.js'
import * as reply from './internal/responses.js'
import { eventIdRejected, isEventStream, rpcError, RPC } from './internal/responses.js'
import { createReporter, runHook, safely, type Report } from './internal/reporter.js'
import type { LiveSession } from './internal/live-session.js'
import { isWellFormedSessionId, newSessionId } from './internal/session-id.js'
import { trackStream } from './internal/tracked-stream.js'
import { followedStream } from './internal/followed-stream.js'
import { RequestIds } from './internal/request-ids.js'

/**
 * The defaults, justified in the README ("Defaults").
 *
 * @example
 * createSessionManager({ createServer, idleTimeoutMs: DEFAULTS.idleTimeoutMs / 2 })
 */
export const DEFAULTS = {
  idleTimeoutMs: 30 * 60_000,
  maxSessions: 10_000,
  streamGraceMs: 5 * 60_000,
  maxEventsPerSession: 1_000,
  streamKeepAliveMs: 15_000
} as const

const GET_STREAM = '_GET_stream'
/** Protocol versions from which clients understand an empty-data priming event. */
const PRIMING_SINCE = '2025-11-25'

/**
 * Options for one request handled through the web-standard entry point.
 *
 * @example
 * manager.handleRequest(c.req.raw, { authInfo: c.get('auth') })
 */
export interface HandleRequestOptions {
  authInfo?: AuthInfo
  /** The body, when a framework has already parsed it. */
  parsedBody?: unknown
}

/**
 * Owns every session of one MCP endpoint: creation on initialize, the
 * lifetime policy, resumable streams and principal binding.
 *
 * @example
 * const manager = createSessionManager({ createServer: () => buildServer() })
 * http.createServer((req, res) => manager.handleNodeRequest(req, res)).listen(3000)
 */
export class SessionManager {
  readonly #options: SessionManagerOptions
  readonly #report: Report
  readonly #clock: Clock
  readonly #store: SessionStore
  readonly #idleTimeoutMs: number
  readonly #maxSessions: number
  readonly #touchEveryMs: number
  readonly #maxBodyBytes: number
  readonly #sessions = new Map<string, LiveSession>()
  readonly #idle: IdleQueue
  /** The store is shared with other nodes (Redis): see {@link SessionStore.shared}. */
  readonly #shared: boolean
  readonly #maxLocal: number
  /** One hydrate in flight per id on this node. */
  readonly #hydrating = new Map<string, Promise<LiveSession | SessionRecord | undefined>>()
  /** Sessions with a request in flight or a stream open: their store TTL is refreshed while they stay busy. */
  readonly #busy = new Set<LiveSession>()
  readonly #ids: RequestIds | undefined
  #keepAlive: unknown
  #shutdown = false



  constructor(options: SessionManagerOptions) {
    this.#options = options
    this.#report = createReporter(options.onError)
    this.#clock = options.clock ?? systemClock
    this.#store = options.store ?? new MemorySessionStore({ now: () => this.#clock.now() })
    this.#idleTimeoutMs = options.idleTimeoutMs ?? DEFAULTS.idleTimeoutMs
    this.#maxSessions = Math.max(1, options.maxSessions ?? DEFAULTS.maxSessions)
    this.#maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES
    // The store only needs to know a session is alive well within its TTL.
    this.#touchEveryMs = Math.min(60_000, Math.floor(this.#idleTimeoutMs / 4))
    this.#shared = this.#store.shared === true
    this.#maxLocal = Math.max(1, options.maxLocalSessions ?? Infinity)
    // @note With a shared store an idle session expires by the store's TTL (no scan, every node
    // agrees); locally it is only dropped. Alone, the manager ends it here.
    this.#idle = new IdleQueue(this.#clock, this.#idleTimeoutMs, id => void (this.#shared ? this.#release(id) : this.#end(id, 'idle')))
    const relay = options.relay
    this.#ids = relay ? new RequestIds(relay.nodeId) : undefined
    if (relay) {
      Promise.resolve(relay.listen((sessionId, message) => this.#relayed(sessionId, message)))
        .catch(error => this.#report('MCPS_STORE_FAILED', 'Failed to listen for answers routed to this node', error))
    }
  }



  /** Live sessions on this node. */
  get size(): number {
    return this.#sessions.size
  }

  /** Handles one request on Node's http (or express: pass `req.body` as `parsedBody`). */
  async handleNodeRequest(req: IncomingMessage, res: ServerResponse, parsedBody?: unknown): Promise<void> {
    try {
      let response: Response
      let body = parsedBody
      if (body === undefined && req.method === 'POST') {
        const text = await readNodeBody(req, this.#maxBodyBytes)
        body = text === TOO_LARGE ? TOO_LARGE : parseJson(text)
      }
      const authInfo = (req as IncomingMessage & { auth?: AuthInfo }).auth
      response = await this.#handle(toWebRequest(req), authInfo, body)
      await writeWebResponse(response, res)
    } catch (error) {
      this.#report('MCPS_INTERNAL_ERROR', 'Failed to handle a request: unexpected error', error)
      if (res.headersSent) res.destroy()
      else await writeWebResponse(reply.internalError(), res).catch(() => res.destroy())
    }
  }

  /** Handles one web-standard request (Hono, Bun, Deno, workers). */
  async handleRequest(request: Request, options: HandleRequestOptions = {}): Promise<Response> {
    try {
      let body = options.parsedBody
      if (body === undefined && request.method === 'POST') {
        const text = await readWebBody(request, this.#maxBodyBytes)
        body = text === TOO_LARGE ? TOO_LARGE : parseJson(text)
      }
      return await this.#handle(request, options.authInfo, body)
    } catch (error) {
      this.#report('MCPS_INTERNAL_ERROR', 'Failed to handle a request: unexpected error', error)
      return reply.internalError()
    }
  }

  /** Ends a session now; resolves `false` when there was no such live session. */
  async close(sessionId: string, reason: CloseReason = 'closed'): Promise<boolean> {
    return this.#end(sessionId, reason)
  }

  /**
   * Ends every session (reason `shutdown`) and refuses new ones with 503.
   * With a shared store the sessions live on for the other nodes: this node
   * only drops its local objects.
   */
  async shutdown(): Promise<void> {
    this.#shutdown = true
    this.#idle.stop()
    this.#stopKeepAlive()
    await Promise.all([...this.#sessions.keys()].map(id => this.#shared ? this.#release(id) : this.#end(id, 'shutdown')))
    try {
      await this.#options.relay?.close?.()
    } catch (error) {
      this.#report('MCPS_STORE_FAILED', 'Failed to close the relay', error)
    }
    try {


      await this.#store.close?.()
    } catch (error) {
      this.#report('MCPS_STORE_FAILED', 'Failed to close the session store', error)
    }
  }

  async #handle(request: Request, authInfo: AuthInfo | undefined, body: unknown): Promise<Response> {
    if (this.#shutdown) return reply.shuttingDown()
    const method = request.method
    if (method !== 'POST' && method !== 'GET' && method !== 'DELETE') return reply.methodNotAllowed()
    if (body === TOO_LARGE) return reply.bodyTooLarge(this.#maxBodyBytes)
    if (body === NOT_JSON) return reply.parseError()
    const rawId = request.headers.get('mcp-session-id')
    const principal = this.#principal(authInfo, request)
    if (method === 'POST') {
      const kind = classify(body)
      if (kind === 'initialize-in-batch') return reply.initializeInBatch()
      if (kind === 'initialize') {
        if (rawId === null) return this.#create(request, authInfo, principal, body)
        if (!isWellFormedSessionId(rawId)) return reply.idInvalid()
        const existing = await this.#load(rawId, principal, request, authInfo)
        if (existing instanceof Response) return existing
        return existing ? reply.alreadyInitialized() : reply.notFound()
      }
    }
    if (rawId === null) return reply.idRequired()
    if (!isWellFormedSessionId(rawId)) return reply.idInvalid()
    const session = await this.#load(rawId, principal, request, authInfo)
    if (session instanceof Response) return session
    if (!session) return reply.notFound()
    if (method === 'DELETE') {
      await this.#end(session.id, 'delete')
      return new Response(null, { status: 200 })
    }
    if (method === 'POST') return this.#forward(session, request, authInfo, body, undefined)
    const lastEventId = request.headers.get('last-event-id')
    if (lastEventId !== null) {
      let problem
      try {
        problem = await this.#checkEventId(session, lastEventId)
      } catch (error) {
        this.#report('MCPS_STORE_FAILED', `Failed to check Last-Event-ID for session "${session.id}"`, error)
        return reply.storeFailed()
      }
      if (problem) return eventIdRejected(problem)
    }
    const target = lastEventId === null ? GET_STREAM : await this.#streamOf(session, lastEventId)
    // @note The same caller reconnecting to a stream we still hold open means the old
    // connection is dead but unnoticed (half-open TCP after sleep or a NAT timeout):
    // hand the stream over instead of answering 409 until TCP gives up.
    const stale = target === undefined ? undefined : session.streams.get(target)
    if (stale) await stale.detach()
    return this.#forward(session, request, authInfo, body, target === undefined ? undefined : { streamId: target, lastEventId })
  }

  /** {@link loadSession}, with a store failure answered as 503 + Retry-After. */
  async #load(id: string, principal: string | undefined, request: Request, authInfo: AuthInfo | undefined): Promise<LiveSession | Response | undefined> {
    try {
      return await this.loadSession(id, principal, { request, authInfo })
    } catch (error) {
      if (error instanceof CreateServerFailed) {
        this.#report('MCPS_CREATE_SERVER_FAILED', `Failed to continue session "${id}" on this node: createServer threw`, error.cause)
        return reply.createFailed()
      }
      this.#report('MCPS_STORE_FAILED', `Failed to load session "${id}" from the store`, error)
      return reply.storeFailed()
    }
  }


  /**
   * The one place a session id becomes a live session: this node's map, or
   * on a miss the store: read the record, check the principal, and hydrate a
   * transport with the SDK's `session: record.state` option (fix
   * 1658-hydrate), without initialize and without `onSessionCreated`. With a
   * shared store every request also refreshes the record's TTL, and a record
   * gone from the store (DELETE or expiry on any node) drops the local copy.
   * Throws when the store fails.
   */
  protected async loadSession(id: string, principal: string | undefined, context: { request?: Request; authInfo?: AuthInfo } = {}): Promise<LiveSession | undefined> {
    const local = this.#sessions.get(id)
    // @note A foreign principal is answered exactly like an unknown id, so ids cannot be probed.
    if (local && (local.closing || local.principal !== principal)) return undefined
    if (local && !this.#shared) return local
    // @note An unshared store is only read back when this node drops objects (maxLocalSessions):
    // otherwise the map is the truth, and a record whose delete failed cannot come back.
    if (!local && !this.#shared && this.#options.maxLocalSessions === undefined) return undefined
    if (local) {
      const now = this.#clock.now()
      if (await this.#store.touch(id, now, this.#storeTtl())) {
        local.storeTouchedAt = now
        return local.closing ? undefined : local
      }
      await this.#release(id)
      return undefined
    }
    // Bounded: a waiter whose principal differs from the first caller's hydrates once itself.
    for (let attempt = 0; attempt < 2; attempt++) {
      let pending = this.#hydrating.get(id)
      const mine = !pending
      if (!pending) {
        pending = this.#hydrate(id, principal, context).finally(() => this.#hydrating.delete(id))
        this.#hydrating.set(id, pending)
      }
      const result = await pending
      if (result === undefined) return undefined
      if ('transport' in result) return result.principal === principal && !result.closing ? result : undefined
      // The record belongs to someone else: answered as unknown, nothing was built.
      if (mine || result.principal === principal) return undefined
    }
    return undefined
  }

  /** Builds a live session from the store's record; a record of another principal is returned unbuilt. */
  async #hydrate(id: string, principal: string | undefined, context: { request?: Request; authInfo?: AuthInfo }): Promise<LiveSession | SessionRecord | undefined> {
    const record = await this.#store.get(id)
    if (!record) return undefined
    if (record.principal !== principal) return record
    const now = this.#clock.now()
    if (this.#shared && !(await this.#store.touch(id, now, this.#storeTtl()))) return undefined
    let server: McpServer | Server
    try {
      server = await this.#options.createServer({
        sessionId: id,
        principal,
        authInfo: context.authInfo,
        request: context.request ?? new Request('http://localhost/'),
        hydrated: true
      })
    } catch (error) {
      throw new CreateServerFailed(error)
    }
    const events = this.#newEvents(id)
    const transport = new WebStandardStreamableHTTPServerTransport({
      ...this.#options.transport,
      session: record.state,
      eventStore: events
    } as ConstructorParameters<typeof WebStandardStreamableHTTPServerTransport>[0])
    const session: LiveSession = {
      id, principal, state: record.state, createdAt: record.createdAt, transport, server, events, streams: new Map(), deliver: undefined,
      busy: 0, storeTouchedAt: now, announced: true, closing: false
    }
    transport.onclose = () => {
      if (this.#sessions.get(id) === session) void this.#end(id, 'closed')
    }
    try {
      await server.connect(transport)
    } catch (error) {
      await this.#dispose(session)
      throw error
    }
    this.#routeAnswers(session)
    this.#sessions.set(id, session)
    this.#idle.add(id, now)
    this.#trimLocal(id)
    return session
  }

  #newEvents(id: string): SessionEventStore {
    const make = this.#options.eventStore
    return make
      ? make({ sessionId: id })
      : new MemoryEventStore({
        maxEvents: this.#options.maxEventsPerSession ?? DEFAULTS.maxEventsPerSession,
        maxAgeMs: this.#options.streamGraceMs ?? DEFAULTS.streamGraceMs,
        now: () => this.#clock.now()
      })
  }

  /**
   * With a relay: requests the session's server sends get ids unique across
   * nodes, and a client's answer that belongs to another node goes there.
   * Wraps the transport after `connect()`, which set the server's handlers.
   */
  #routeAnswers(session: LiveSession): void {
    const ids = this.#ids
    const relay = this.#options.relay
    if (!ids || !relay) return
    const { transport } = session
    const send = transport.send.bind(transport)
    transport.send = (message, options) => send(ids.outgoing(session.id, message), options)
    const inner = transport.onmessage
    session.deliver = message => inner?.call(transport, message)
    transport.onmessage = (message, extra) => {
      const route = ids.incoming(session.id, message)
      if (route.to === 'pass') return inner?.call(transport, message, extra)
      if (route.to === 'local') return inner?.call(transport, route.message, extra)
      if (route.to === 'remote') {
        relay.forward(route.nodeId, session.id, message).catch(error =>
          this.#report('MCPS_STORE_FAILED', `Failed to route an answer of session "${session.id}" to node "${route.nodeId}"`, error))
      }
    }
  }

  /** An answer routed here by another node. */
  #relayed(sessionId: string, message: JSONRPCMessage): void {
    const session = this.#sessions.get(sessionId)
    const route = this.#ids?.incoming(sessionId, message)
    if (session?.deliver && route?.to === 'local') session.deliver(route.message)
  }

  /** Keeps at most `maxLocalSessions` objects here: drops the least recently active idle ones (they live on in the store). */
  #trimLocal(keep: string): void {
    for (let guard = this.#sessions.size; this.#sessions.size > this.#maxLocal && guard > 0; guard--) {
      const victim = this.#idle.oldest()
      if (victim === undefined || victim === keep) break
      void this.#release(victim)
    }
  }

  /** Drops a session's local objects WITHOUT ending it: no store delete, no hook. */
  async #release(id: string): Promise<void> {
    const session = this.#sessions.get(id)
    if (!session || session.closing) return
    session.closing = true
    this.#sessions.delete(id)
    this.#idle.remove(id)
    this.#busy.delete(session)
    this.#ids?.release(id)
    await this.#dispose(session)
  }

  /** `get`: the stream a GET opens (`_GET_stream`) or resumes (with the client's Last-Event-ID). */
  async #forward(session: LiveSession, request: Request, authInfo: AuthInfo | undefined, body: unknown, get: { streamId: string; lastEventId: string | null } | undefined): Promise<Response> {
    if (get && session.events.follow) return this.#follow(session, request, get)
    this.#begin(session)
    let response: Response
    try {
      response = await session.transport.handleRequest(request, { authInfo, parsedBody: body })
    } finally {
      this.#finish(session)
    }
    if (!isEventStream(response)) return response
    if (get?.lastEventId) this.#hook('onStreamReattached', session.id, { streamId: get.streamId, lastEventId: get.lastEventId })
    // A fresh GET stream gets a resume cursor up front, so a drop before its
    // first message still resumes without loss (clients >= 2025-11-25 only).
    const cursor = get && get.lastEventId === null && session.state.protocolVersion >= PRIMING_SINCE
      ? await this.#safely('MCPS_STORE_FAILED', 'Failed to read a resume cursor from the event store', () => session.events.cursor?.(GET_STREAM))
      : undefined
    const prime = cursor === undefined ? undefined : `id: ${cursor}\ndata: \n\n`
    return this.#track(session, response, prime, get?.streamId)
  }

  /**
   * A GET stream (fresh, or a resume of any stream) served from a shared
   * event store: it carries what any node stores for that stream, so a
   * notification sent on one node reaches the GET stream open on another, and
   * a resume on this node continues a request stream another node produced.
   */
  async #follow(session: LiveSession, request: Request, get: { streamId: string; lastEventId: string | null }): Promise<Response> {
    if (!(request.headers.get('accept') ?? '').includes('text/event-stream')) {
      return rpcError(406, RPC.serverError, 'MCPS_INVALID_REQUEST', 'Not Acceptable: Client must accept text/event-stream')
    }
    const { streamId, lastEventId } = get
    let after: string | undefined
    try {
      after = lastEventId ?? await session.events.cursor?.(GET_STREAM)
    } catch (error) {
      this.#report('MCPS_STORE_FAILED', `Failed to open a stream for session "${session.id}"`, error)
      return reply.storeFailed()
    }
    if (after === undefined) return eventIdRejected('foreign')
    if (lastEventId !== null) this.#hook('onStreamReattached', session.id, { streamId, lastEventId })
    const prime = lastEventId === null && session.state.protocolVersion >= PRIMING_SINCE ? `id: ${after}\ndata: \n\n` : undefined
    this.#begin(session)
    return followedStream(session.events, streamId, after, { 'mcp-session-id': session.id }, {
      prime,
      keepAliveMs: this.#options.streamKeepAliveMs ?? DEFAULTS.streamKeepAliveMs,
      onEnd: how => {
        this.#finish(session)
        if (how === 'finished') this.#finished(session, streamId)
        if (how === 'detached' && !session.closing && this.#sessions.get(session.id) === session) {
          this.#hook('onStreamDetached', session.id, { streamId })
        }
      }
    })
  }

  #finished(session: LiveSession, streamId: string): void {
    try {
      Promise.resolve(session.events.finished?.(streamId)).catch(error =>
        this.#report('MCPS_STORE_FAILED', `Failed to retire stream "${streamId}" of session "${session.id}"`, error))
    } catch (error) {
      this.#report('MCPS_STORE_FAILED', `Failed to retire stream "${streamId}" of session "${session.id}"`, error)
    }
  }

  #track(session: LiveSession, response: Response, prime: string | undefined, knownStream: string | undefined): Response {
    let streamId: string | undefined
    let over = false
    const register = (id: string) => {
      streamId = id
      session.streams.set(id, tracked)
    }
    this.#begin(session)
    const tracked = trackStream(response, {
      prime,
      keepAliveMs: this.#options.streamKeepAliveMs ?? DEFAULTS.streamKeepAliveMs,
      onEventId: knownStream === undefined
        ? id => void this.#streamOf(session, id).then(found => {
          if (found !== undefined && streamId === undefined && !over) register(found)
        })
        : undefined,
      onEnd: how => {
        over = true
        this.#finish(session)
        const ended = streamId
        if (ended !== undefined && session.streams.get(ended) === tracked) session.streams.delete(ended)
        if (how === 'finished' && ended !== undefined) {
          void this.#safely('MCPS_STORE_FAILED', `Failed to release stream "${ended}" in the event store`, () => session.events.finished?.(ended))
        }
        if (how === 'detached' && !session.closing && this.#sessions.get(session.id) === session) {
          this.#hook('onStreamDetached', session.id, { streamId: ended })
        }
      }
    })
    if (knownStream !== undefined) register(knownStream)
    return tracked.response
  }

  async #create(request: Request, authInfo: AuthInfo | undefined, principal: string | undefined, body: unknown): Promise<Response> {
    const id = newSessionId()
    const now = this.#clock.now()
    const state = stateFromInitialize(id, body, SUPPORTED_PROTOCOL_VERSIONS)
    let server: McpServer | Server
    try {
      server = await this.#options.createServer({ sessionId: id, principal, authInfo, request })
    } catch (error) {
      this.#report('MCPS_CREATE_SERVER_FAILED', 'Failed to create a server for a new session: createServer threw', error)
      return reply.createFailed()
    }
    let events: SessionEventStore
    try {
      events = this.#newEvents(id)
    } catch (error) {
      this.#report('MCPS_STORE_FAILED', 'Failed to create the event store of a new session', error)
      await server.close().catch(() => {})
      return reply.storeFailed()
    }
    const transport = new WebStandardStreamableHTTPServerTransport({
      ...this.#options.transport,
      sessionIdGenerator: () => id,
      eventStore: events
    })
    const session: LiveSession = { id, principal, state, createdAt: now, transport, server, events, streams: new Map(), deliver: undefined, busy: 0, storeTouchedAt: now, announced: false, closing: false }
    // Set before connect(): the SDK chains its own handler after ours.
    transport.onclose = () => {
      if (this.#sessions.get(id) === session) void this.#end(id, 'closed')
    }
    try {
      await server.connect(transport)
      if (!(await this.#store.create({ id, state, principal, createdAt: now, lastActiveAt: now }, this.#storeTtl()))) {
        throw new Error(`the store already holds a session "${id}"`)
      }
    } catch (error) {
      this.#report('MCPS_STORE_FAILED', 'Failed to create a session: could not connect the server or save the record', error)
      await this.#dispose(session)
      return reply.storeFailed()
    }
    this.#routeAnswers(session)
    // @note With a shared store, maxSessions is not enforced: counting all sessions would need a
    // scan. Bound Redis with its maxmemory and the TTLs; bound this node with maxLocalSessions.
    if (!this.#shared) this.#evictFor(id)
    this.#sessions.set(id, session)
    this.#trimLocal(id)
    const response = await this.#forward(session, request, authInfo, body, undefined)
    if (transport.sessionId !== id) {
      // The SDK refused the initialize (bad headers or params): nobody learned the id.
      this.#sessions.delete(id)
      this.#idle.remove(id)
      session.closing = true
      await this.#dispose(session)
      await this.#store.delete(id).catch(error => this.#report('MCPS_STORE_FAILED', `Failed to delete session "${id}" from the store`, error))
      return response
    }
    session.announced = true
    this.#hook('onSessionCreated', { id, principal, state, createdAt: now })
    return response
  }

  /**
   * Makes room for one session, least recently active first (idle sessions
   * before busy ones). Synchronous up to the registration, so concurrent
   * initializes cannot overshoot `maxSessions`; the victims close in the background.
   */
  #evictFor(newcomer: string): void {
    for (let guard = this.#sessions.size; this.#sessions.size >= this.#maxSessions && guard > 0; guard--) {
      const victim = this.#idle.oldest() ?? this.#sessions.keys().next().value
      if (victim === undefined || victim === newcomer) break
      void this.#end(victim, 'evicted')
    }
  }

  #begin(session: LiveSession): void {
    if (session.busy++ === 0) {
      this.#idle.remove(session.id)
      if (this.#shared) {
        this.#busy.add(session)
        this.#armKeepAlive()
      }
    }
    const now = this.#clock.now()
    if (now - session.storeTouchedAt >= this.#touchEveryMs) {
      session.storeTouchedAt = now
      this.#store.touch(session.id, now, this.#storeTtl()).catch(error =>
        this.#report('MCPS_STORE_FAILED', `Failed to touch session "${session.id}" in the store`, error))
    }
  }

  #finish(session: LiveSession): void {
    if (session.busy === 1) this.#busy.delete(session)
    if (--session.busy === 0 && !session.closing && this.#sessions.get(session.id) === session) {
      this.#idle.add(session.id, this.#clock.now())
    }
  }

  /**
   * With a shared store an open stream is activity too: while any session
   * here is busy, one timer refreshes the TTL of the busy ones (only those)
   * every `touchEveryMs`.
   */
  #armKeepAlive(): void {
    if (this.#keepAlive !== undefined || this.#shutdown) return
    this.#keepAlive = this.#clock.setTimeout(() => {
      this.#keepAlive = undefined
      const now = this.#clock.now()
      for (const session of this.#busy) {
        if (now - session.storeTouchedAt < this.#touchEveryMs) continue
        session.storeTouchedAt = now
        this.#store.touch(session.id, now, this.#storeTtl()).catch(error =>
          this.#report('MCPS_STORE_FAILED', `Failed to touch session "${session.id}" in the store`, error))
      }
      if (this.#busy.size > 0) this.#armKeepAlive()
    }, this.#touchEveryMs)
  }

  #stopKeepAlive(): void {
    if (this.#keepAlive !== undefined) this.#clock.clearTimeout(this.#keepAlive)
    this.#keepAlive = undefined
  }

  #storeTtl(): number {
    return this.#idleTimeoutMs + this.#touchEveryMs
  }

  /** Ends a session; every step runs even when an earlier one throws. */
  async #end(id: string, reason: CloseReason): Promise<boolean> {
    const session = this.#sessions.get(id)
    if (!session || session.closing) return false
    session.closing = true
    this.#sessions.delete(id)
    this.#idle.remove(id)
    this.#busy.delete(session)
    this.#ids?.release(id)
    try {
      await this.#dispose(session)
    } finally {
      try {
        await this.#store.delete(id)
      } catch (error) {
        this.#report('MCPS_STORE_FAILED', `Failed to delete session "${id}" from the store`, error)
      } finally {
        if (session.announced) this.#hook('onSessionClosed', id, reason)
      }
    }
    return true
  }

  async #dispose(session: LiveSession): Promise<void> {
    try {
      await session.transport.close()
    } catch (error) {
      this.#report('MCPS_CLOSE_FAILED', `Failed to close the transport of session "${session.id}"`, error)
    } finally {
      try {
        await session.server.close()
      } catch (error) {
        this.#report('MCPS_CLOSE_FAILED', `Failed to close the server of session "${session.id}"`, error)
      } finally {
        await this.#safely('MCPS_STORE_FAILED', `Failed to dispose the event store of session "${session.id}"`, () => session.events.dispose?.())
      }
    }
  }

  async #checkEventId(session: LiveSession, eventId: string): Promise<'foreign' | 'expired' | undefined> {
    const { events } = session
    if (events.check) return events.check(eventId)
    if (!events.getStreamIdForEventId) return undefined
    return (await events.getStreamIdForEventId(eventId)) === undefined ? 'foreign' : undefined
  }

  async #streamOf(session: LiveSession, eventId: string): Promise<string | undefined> {
    return this.#safely('MCPS_STORE_FAILED', 'Failed to look up the stream of an event id', () => session.events.getStreamIdForEventId?.(eventId))
  }

  #safely<T>(code: SessionErrorCode, message: string, run: () => T | Promise<T>): Promise<T | undefined> {
    return safely(this.#report, code, message, run)
  }

  #principal(authInfo: AuthInfo | undefined, request: Request): string | undefined {
    const pick = this.#options.principal
    return pick ? pick({ authInfo, request }) : authInfo?.clientId
  }

  #hook<K extends 'onSessionCreated' | 'onSessionClosed' | 'onStreamDetached' | 'onStreamReattached'>(
    name: K, ...args: Parameters<NonNullable<SessionManagerOptions[K]>>
  ): void {
    runHook(this.#report, name, this.#options[name], args)
  }
}

/** createServer threw while hydrating: answered 500, not as a store failure. */
class CreateServerFailed extends Error {
  constructor(cause: unknown) {
    super('createServer threw', { cause })
  }
}

/**
 * Creates the session manager for one MCP endpoint.
 *
 * @example
 * const manager = createSessionManager({
 *   createServer: () => {
 *     const server = new McpServer({ name: 'demo', version: '1.0.0' })
 *     server.registerTool('echo', { inputSchema: { text: z.string() } }, ({ text }) => ({ content: [{ type: 'text', text }] }))
 *     return server
 *   }
 * })
 */
export function createSessionManager(options: SessionManagerOptions): SessionManager {
  return new SessionManager(options)
}
