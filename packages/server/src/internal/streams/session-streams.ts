import { randomBytes } from 'node:crypto'
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js'
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js'
import { GET_STREAM_ID } from '../../session-event-store.js'
import { CallsInFlight } from '../calls-in-flight.js'
import type { ManagerContext } from '../context.js'
import type { LiveSession } from '../live-session.js'
import type { SessionRegistry } from '../registry.js'
import { errorResponse, isEventStream } from '../wire.js'
import { followedStream } from './followed-stream.js'
import { KeepAliveTicker } from './keep-alive.js'
import { pollResponse, PRIMING_SINCE, primingEvent } from './sse.js'
import { TrackedAnswer, type Answer, type OpenStream, type StreamEnd } from './tracked-stream.js'

/** A GET: the stream it opens (`_GET_stream`) or resumes (from `lastEventId`). */
interface GetTarget {
  streamId: string
  lastEventId: string | null
  /** The client resumed (sent Last-Event-ID): the hooks hear of a reattach. */
  resumed?: boolean
  /** A fresh stream followed from a shared store: where it starts. */
  after?: string
}

/**
 * Every SSE stream of a session: POST answers and GET streams, fresh or
 * resumed. It counts an open stream as activity, primes fresh GET streams
 * with a resume cursor, and tells the hooks when a stream detaches or is
 * reattached. With a shared event store (`follow`), GET streams are served
 * from the store, so they carry what any node stored.
 */
export class SessionStreams {
  readonly #ctx: ManagerContext
  readonly #registry: SessionRegistry
  /**
   * Every stream open on this node (for a graceful shutdown) and its session
   * (a resume looks among them for a POST stream the store has not named).
   */
  readonly #open = new Map<OpenStream, { kind: 'get' | 'post'; session: LiveSession }>()
  /** Requests handed to a transport and not answered yet. */
  #inFlight = 0
  /** Calls the servers are working on, whether or not their stream is still open. */
  readonly #calls = new CallsInFlight(() => this.#settle())
  #drained: (() => void) | undefined
  /** Comment frames for the quiet streams; none when `streamKeepAliveMs` is 0. */
  readonly #keepAlive: KeepAliveTicker | undefined

  constructor(ctx: ManagerContext, registry: SessionRegistry) {
    this.#ctx = ctx
    this.#registry = registry
    const every = ctx.settings.streamKeepAliveMs
    this.#keepAlive = every > 0 ? new KeepAliveTicker(every, () => [...this.#open.keys()]) : undefined
  }

  /** Counts the session's calls from its transport's messages; call after `connect()`. */
  watch(session: LiveSession): void {
    this.#calls.watch(session)
  }

  /** The session left this node. */
  release(session: LiveSession): void {
    this.#calls.release(session)
  }

  /** Hands a POST (or a GET served by the SDK) to the session's transport, counted as busy while it runs. */
  async forward(session: LiveSession, request: Request, authInfo: AuthInfo | undefined, body: unknown, get?: GetTarget): Promise<Answer> {
    if (get && session.events.follow) return this.#follow(session, request, get)
    this.#registry.begin(session)
    this.#inFlight++
    const failures = session.storeFailures.count
    let response: Response
    try {
      response = await session.transport.handleRequest(get ? request : this.#asNegotiated(session, request), { authInfo, parsedBody: body })
    } finally {
      this.#inFlight--
      this.#registry.finish(session)
      this.#settle()
    }
    if (response.status === 400 && session.storeFailures.count > failures) {
      // Not the client's fault: the SDK could not store the stream's priming event (bodies were checked before).
      void response.body?.cancel()
      this.#ctx.report('MCPS_STORE_FAILED', `Failed to open a stream for session "${session.id}"`, session.storeFailures.last)
      return errorResponse('MCPS_STORE_FAILED')
    }
    if (!isEventStream(response)) return response
    if (get?.resumed && get.lastEventId) this.#ctx.hook('onStreamReattached', session.id, { streamId: get.streamId, lastEventId: get.lastEventId })
    // A GET stream (fresh, or resumed: the SDK primes POST streams itself) starts with a resume cursor, so a
    // drop before its first message still resumes without loss, and a client that only keeps the ids it saw on
    // the current connection keeps its cursor (clients >= 2025-11-25 only).
    const cursor = get && session.state.protocolVersion >= PRIMING_SINCE
      ? get.lastEventId ?? get.after ?? await this.#safely('Failed to read a resume cursor from the event store', () => session.events.cursor(GET_STREAM_ID))
      : undefined
    return this.#track(session, response, cursor === undefined ? undefined : primingEvent(cursor, this.#ctx.settings.streamRetryMs), get?.streamId, get ? 'get' : 'post')
  }

  /**
   * A graceful shutdown: ends every GET stream now (its client resumes on
   * another node), lets requests in flight and their streams finish until
   * `deadline` (a time on the manager's clock), then ends what is left. A
   * call whose stream is gone (cut by a balancer, resumed on another node)
   * is waited for too: what it still sends goes to the event store.
   */
  async drain(deadline: number): Promise<void> {
    await Promise.all([...this.#open].filter(([, open]) => open.kind === 'get').map(([s]) => s.detach()))
    const busy = () => this.#inFlight > 0 || this.#calls.count > 0 || [...this.#open.values()].some(open => open.kind === 'post')
    if (busy()) {
      await new Promise<void>(resolve => {
        const timer = this.#ctx.clock.setTimeout(() => resolve(), Math.max(0, deadline - this.#ctx.clock.now()))
        this.#drained = () => {
          if (busy()) return
          this.#ctx.clock.clearTimeout(timer)
          resolve()
        }
      })
      this.#drained = undefined
    }
    await Promise.all([...this.#open.keys()].map(s => s.detach()))
  }

  #settle(): void {
    this.#drained?.()
  }

  /**
   * The SDK primes a POST stream according to the request's `MCP-Protocol-Version`; a client that sends an older
   * (supported) version than its session negotiated would get no priming event. The session's version decides.
   */
  #asNegotiated(session: LiveSession, request: Request): Request {
    const negotiated = session.state.protocolVersion
    const sent = request.headers.get('mcp-protocol-version')
    if (sent === null || sent === negotiated || negotiated < PRIMING_SINCE) return request
    const headers = new Headers(request.headers)
    headers.set('mcp-protocol-version', negotiated)
    return new Request(request.url, { method: request.method, headers })
  }

  /** A GET resume while the store does not answer: {@link pollResponse}, or 503 + Retry-After when it cannot be one. */
  poll(sessionId: string, version: string | null, request: Request): Response {
    return pollResponse(sessionId, version, request.headers.get('last-event-id'), this.#ctx.settings.streamRetryMs) ?? errorResponse('MCPS_STORE_FAILED')
  }

  /** A GET: checks Last-Event-ID, takes a stream over from a dead connection, opens or resumes it. */
  async open(session: LiveSession, request: Request, authInfo: AuthInfo | undefined): Promise<Answer> {
    const lastEventId = request.headers.get('last-event-id')
    if (lastEventId !== null) {
      let problem
      try {
        problem = await session.events.check(lastEventId)
      } catch (error) {
        this.#ctx.report('MCPS_STORE_FAILED', `Failed to check Last-Event-ID for session "${session.id}"`, error)
        return this.poll(session.id, session.state.protocolVersion, request)
      }
      if (problem) return errorResponse(problem === 'foreign' ? 'MCPS_EVENT_ID_INVALID' : 'MCPS_EVENT_ID_EXPIRED')
    }
    const target = lastEventId === null ? GET_STREAM_ID : await this.#streamOf(session, lastEventId)
    // @note The same caller reconnecting to a stream we still hold open means the old
    // connection is dead but unnoticed (half-open TCP after sleep or a NAT timeout):
    // hand the stream over instead of answering 409 until TCP gives up.
    const stale = target === undefined ? undefined : session.streams.get(target) ?? await this.#unnamed(session, target)
    if (stale) await stale.detach()
    if (target === undefined) return this.forward(session, request, authInfo, undefined)
    if (lastEventId !== null) return this.forward(session, request, authInfo, undefined, { streamId: target, lastEventId, resumed: true })
    return this.#openFresh(session, request, authInfo)
  }

  /**
   * A GET without Last-Event-ID. The first one of a session starts where the
   * session's GET stream begins, so a notification sent before the client
   * first listened is delivered (within the grace period): served as a resume
   * from there, which the hooks do not see as one.
   */
  async #openFresh(session: LiveSession, request: Request, authInfo: AuthInfo | undefined): Promise<Answer> {
    let start: string | undefined
    let end: string | undefined
    try {
      start = await session.events.openCursor(GET_STREAM_ID)
      // A followed stream starts at `start` whatever the end is: no need to ask the store for it.
      end = start === undefined || session.events.follow ? undefined : await session.events.cursor(GET_STREAM_ID)
    } catch (error) {
      this.#ctx.report('MCPS_STORE_FAILED', `Failed to open the GET stream of session "${session.id}"`, error)
      return errorResponse('MCPS_STORE_FAILED')
    }
    if (start === undefined || start === end || session.events.follow) {
      return this.forward(session, request, authInfo, undefined, { streamId: GET_STREAM_ID, lastEventId: null, after: start })
    }
    const headers = new Headers(request.headers)
    headers.set('last-event-id', start)
    const resume = new Request(request.url, { method: 'GET', headers })
    return this.forward(session, resume, authInfo, undefined, { streamId: GET_STREAM_ID, lastEventId: start, resumed: false })
  }

  /**
   * A GET stream (fresh, or a resume of any stream) served from a shared
   * event store: a notification stored on one node reaches the GET stream
   * open on another, and a resume here continues a stream another node produced.
   */
  async #follow(session: LiveSession, request: Request, get: GetTarget): Promise<Response> {
    if (!(request.headers.get('accept') ?? '').includes('text/event-stream')) return errorResponse('MCPS_NOT_ACCEPTABLE')
    const { streamId, lastEventId } = get
    let after: string | undefined
    try {
      after = lastEventId ?? get.after ?? await session.events.cursor(GET_STREAM_ID)
    } catch (error) {
      this.#ctx.report('MCPS_STORE_FAILED', `Failed to open a stream for session "${session.id}"`, error)
      return errorResponse('MCPS_STORE_FAILED')
    }
    if (after === undefined) return errorResponse('MCPS_EVENT_ID_INVALID')
    if (get.resumed && lastEventId !== null) this.#ctx.hook('onStreamReattached', session.id, { streamId, lastEventId })
    const prime = session.state.protocolVersion >= PRIMING_SINCE ? primingEvent(after, this.#ctx.settings.streamRetryMs) : undefined
    // @note One GET stream per session across nodes: the newest announces itself on the stream, and a
    // follower on any node that reads another's announcement ends its own (spec: a message goes to one stream).
    const token = streamId === GET_STREAM_ID ? randomBytes(9).toString('base64url') : undefined
    if (token && !(await this.#announce(session, token))) return this.poll(session.id, session.state.protocolVersion, request)
    let announced = false
    this.#registry.begin(session)
    const followed = followedStream(session.events, streamId, after, { 'mcp-session-id': session.id }, {
      prime,
      keepAlive: this.#keepAlive,
      onEnd: how => {
        if (session.streams.get(streamId) === followed) session.streams.delete(streamId)
        this.#open.delete(followed)
        this.#ended(session, streamId, how)
      },
      onMarker: marker => {
        // A follower that resumes from an older position reads older announcements first (the client's own
        // earlier streams): only one stored after this stream's own means a newer stream took over.
        const other = (marker as { mcps?: unknown; token?: unknown })
        if (!token || other.mcps !== 'takeover') return
        if (other.token === token) announced = true
        else if (announced) void followed.detach()
      }
    })
    this.#open.set(followed, { kind: 'get', session })
    session.streams.set(streamId, followed)
    return followed.response
  }

  /** Stores the takeover marker of a new GET stream; false when the store failed (reported). */
  async #announce(session: LiveSession, token: string): Promise<boolean> {
    try {
      await session.events.storeEvent(GET_STREAM_ID, { mcps: 'takeover', token } as unknown as JSONRPCMessage)
      return true
    } catch (error) {
      this.#ctx.report('MCPS_STORE_FAILED', `Failed to open the GET stream of session "${session.id}"`, error)
      return false
    }
  }

  /**
   * A stream whose event-store id is known (a GET, a resume) is registered
   * under it at once; a POST's is learned only if a resume asks for it (see
   * {@link #unnamed}): nearly every POST stream ends without one.
   */
  #track(session: LiveSession, response: Response, prime: string | undefined, knownStream: string | undefined, kind: 'get' | 'post'): TrackedAnswer {
    this.#registry.begin(session)
    const tracked: TrackedAnswer = new TrackedAnswer(response, {
      kind,
      prime,
      keepAlive: this.#keepAlive,
      onEnd: how => {
        if (knownStream !== undefined && session.streams.get(knownStream) === tracked) session.streams.delete(knownStream)
        this.#open.delete(tracked)
        this.#ended(session, knownStream ?? tracked.streamId, how, tracked)
        this.#settle()
      }
    })
    this.#open.set(tracked, { kind, session })
    if (knownStream !== undefined) session.streams.set(knownStream, tracked)
    return tracked
  }

  /** The open POST stream of `session` that the event store knows as `streamId`, named from its first event id. */
  async #unnamed(session: LiveSession, streamId: string): Promise<TrackedAnswer | undefined> {
    const unnamed = [...this.#open].filter(([tracked, open]) => open.session === session && open.kind === 'post' && tracked instanceof TrackedAnswer && tracked.streamId === undefined)
    for (const [tracked] of unnamed as Array<[TrackedAnswer, unknown]>) {
      if ((await this.#name(session, tracked)) !== streamId || !this.#open.has(tracked)) continue
      tracked.streamId = streamId
      return tracked
    }
    return undefined
  }

  /** A stream ended: the session may go idle; a POST stream is named now, from its first event id. */
  #ended(session: LiveSession, streamId: string | undefined, how: StreamEnd, tracked?: TrackedAnswer): void {
    this.#registry.finish(session)
    const named = streamId === undefined && tracked ? this.#name(session, tracked) : streamId
    if (named instanceof Promise) void named.then(id => this.#endedAs(session, id, how))
    else this.#endedAs(session, named, how)
  }

  /** A finished stream is retired in the store; a detach is reported. */
  #endedAs(session: LiveSession, streamId: string | undefined, how: StreamEnd): void {
    if (how === 'detached' && this.#registry.holds(session)) this.#ctx.hook('onStreamDetached', session.id, { streamId })
    if (how === 'finished' && streamId !== undefined) {
      void this.#safely(`Failed to release stream "${streamId}" of session "${session.id}" in the event store`, () => session.events.finished(streamId))
    }
  }

  /** The event store's id of a POST stream, from its first event id; `undefined` without one (reported when the lookup fails). */
  #name(session: LiveSession, tracked: TrackedAnswer): Promise<string | undefined> | string | undefined {
    const eventId = tracked.firstEventId()
    if (eventId === undefined) return undefined
    return this.#streamOf(session, eventId)
  }

  /** Synchronous when the store answers at once ({@link SessionEventStore.streamOf}). */
  #streamOf(session: LiveSession, eventId: string): Promise<string | undefined> | string | undefined {
    const { events } = session
    return this.#safely('Failed to look up the stream of an event id', () => events.streamOf ? events.streamOf(eventId) : events.getStreamIdForEventId?.(eventId))
  }

  /** Runs `run`, reporting a failure (thrown or rejected) as a store failure; synchronous when `run` is. */
  #safely<T>(message: string, run: () => T | Promise<T>): T | undefined | Promise<T | undefined> {
    const failed = (error: unknown) => {
      this.#ctx.report('MCPS_STORE_FAILED', message, error)
      return undefined
    }
    try {
      const result = run()
      return result instanceof Promise ? result.catch(failed) : result
    } catch (error) {
      return failed(error)
    }
  }
}
