import type { IncomingMessage, ServerResponse } from 'node:http'
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js'
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import type { Server } from '@modelcontextprotocol/sdk/server/index.js'
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js'
import { SUPPORTED_PROTOCOL_VERSIONS } from '@modelcontextprotocol/sdk/types.js'
import { systemClock, type Clock } from './clock.js'
import type { SessionErrorCode } from './errors.js'
import { MemoryEventStore } from './memory-event-store.js'
import type { SessionEventStore } from './session-event-store.js'
import { MemorySessionStore } from './memory-session-store.js'
import type { CloseReason, SessionManagerOptions } from './options.js'
import type { SessionStore } from './session-store.js'
import { DEFAULT_MAX_BODY_BYTES, NOT_JSON, TOO_LARGE, classify, parseJson, readWebBody, stateFromInitialize } from './internal/body.js'
import { IdleQueue } from './internal/idle-queue.js'
import { readNodeBody, toWebRequest, writeWebResponse } from './internal/node-http.js'
import * as reply from './internal/responses.js'
import { eventIdRejected, isEventStream } from './internal/responses.js'
import { createReporter, runHook, safely, type Report } from './internal/reporter.js'
import type { LiveSession } from './internal/live-session.js'
import { isWellFormedSessionId, newSessionId } from './internal/session-id.js'
import { trackStream } from './internal/tracked-stream.js'

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
    this.#idle = new IdleQueue(this.#clock, this.#idleTimeoutMs, id => void this.#end(id, 'idle'))
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

  /** Ends every session (reason `shutdown`) and refuses new ones with 503. */
  async shutdown(): Promise<void> {
    this.#shutdown = true
    this.#idle.stop()
    await Promise.all([...this.#sessions.keys()].map(id => this.#end(id, 'shutdown')))
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
        return (await this.loadSession(rawId, principal)) ? reply.alreadyInitialized() : reply.notFound()
      }
    }
    if (rawId === null) return reply.idRequired()
    if (!isWellFormedSessionId(rawId)) return reply.idInvalid()
    const session = await this.loadSession(rawId, principal)
    if (!session) return reply.notFound()
    if (method === 'DELETE') {
      await this.#end(session.id, 'delete')
      return new Response(null, { status: 200 })
    }
    if (method === 'POST') return this.#forward(session, request, authInfo, body, undefined)
    const lastEventId = request.headers.get('last-event-id')
    if (lastEventId !== null) {
      const problem = await this.#checkEventId(session, lastEventId)
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

  /**
   * The one place a session id becomes a live session. Today: this node's
   * map. A multi-node store hydrates here on a miss: read the record, check
   * the principal, build a transport with the SDK's `session: record.state`
   * option (fix 1658-hydrate) and register it.
   */
  protected async loadSession(id: string, principal: string | undefined): Promise<LiveSession | undefined> {
    const session = this.#sessions.get(id)
    // @note A foreign principal is answered exactly like an unknown id, so ids cannot be probed.
    if (!session || session.closing || session.principal !== principal) return undefined
    return session
  }

  /** `get`: the stream a GET opens (`_GET_stream`) or resumes (with the client's Last-Event-ID). */
  async #forward(session: LiveSession, request: Request, authInfo: AuthInfo | undefined, body: unknown, get: { streamId: string; lastEventId: string | null } | undefined): Promise<Response> {
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
      events = this.#options.eventStore?.({ sessionId: id }) ?? new MemoryEventStore({
        maxEvents: this.#options.maxEventsPerSession ?? DEFAULTS.maxEventsPerSession,
        maxAgeMs: this.#options.streamGraceMs ?? DEFAULTS.streamGraceMs,
        now: () => this.#clock.now()
      })
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
    const session: LiveSession = { id, principal, state, createdAt: now, transport, server, events, streams: new Map(), busy: 0, storeTouchedAt: now, announced: false, closing: false }
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
    this.#evictFor(id)
    this.#sessions.set(id, session)
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
    if (session.busy++ === 0) this.#idle.remove(session.id)
    const now = this.#clock.now()
    if (now - session.storeTouchedAt >= this.#touchEveryMs) {
      session.storeTouchedAt = now
      this.#store.touch(session.id, now, this.#storeTtl()).catch(error =>
        this.#report('MCPS_STORE_FAILED', `Failed to touch session "${session.id}" in the store`, error))
    }
  }

  #finish(session: LiveSession): void {
    if (--session.busy === 0 && !session.closing && this.#sessions.get(session.id) === session) {
      this.#idle.add(session.id, this.#clock.now())
    }
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
