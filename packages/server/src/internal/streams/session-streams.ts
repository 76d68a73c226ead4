import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js'
import { GET_STREAM_ID } from '../../session-event-store.js'
import type { ManagerContext } from '../context.js'
import type { LiveSession } from '../live-session.js'
import type { SessionRegistry } from '../registry.js'
import { errorResponse, isEventStream } from '../wire.js'
import { followedStream } from './followed-stream.js'
import { PRIMING_SINCE, primingEvent } from './sse.js'
import { trackStream, type StreamEnd } from './tracked-stream.js'

/** A GET: the stream it opens (`_GET_stream`) or resumes (with the client's Last-Event-ID). */
interface GetTarget {
  streamId: string
  lastEventId: string | null
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

  constructor(ctx: ManagerContext, registry: SessionRegistry) {
    this.#ctx = ctx
    this.#registry = registry
  }

  /** Hands a POST (or a GET served by the SDK) to the session's transport, counted as busy while it runs. */
  async forward(session: LiveSession, request: Request, authInfo: AuthInfo | undefined, body: unknown, get?: GetTarget): Promise<Response> {
    if (get && session.events.follow) return this.#follow(session, request, get)
    this.#registry.begin(session)
    let response: Response
    try {
      response = await session.transport.handleRequest(request, { authInfo, parsedBody: body })
    } finally {
      this.#registry.finish(session)
    }
    if (!isEventStream(response)) return response
    if (get?.lastEventId) this.#ctx.hook('onStreamReattached', session.id, { streamId: get.streamId, lastEventId: get.lastEventId })
    // A fresh GET stream gets a resume cursor up front, so a drop before its
    // first message still resumes without loss (clients >= 2025-11-25 only).
    const cursor = get && get.lastEventId === null && session.state.protocolVersion >= PRIMING_SINCE
      ? await this.#safely('Failed to read a resume cursor from the event store', () => session.events.cursor(GET_STREAM_ID))
      : undefined
    return this.#track(session, response, cursor === undefined ? undefined : primingEvent(cursor), get?.streamId)
  }

  /** A GET: checks Last-Event-ID, takes a stream over from a dead connection, opens or resumes it. */
  async open(session: LiveSession, request: Request, authInfo: AuthInfo | undefined): Promise<Response> {
    const lastEventId = request.headers.get('last-event-id')
    if (lastEventId !== null) {
      let problem
      try {
        problem = await session.events.check(lastEventId)
      } catch (error) {
        this.#ctx.report('MCPS_STORE_FAILED', `Failed to check Last-Event-ID for session "${session.id}"`, error)
        return errorResponse('MCPS_STORE_FAILED')
      }
      if (problem) return errorResponse(problem === 'foreign' ? 'MCPS_EVENT_ID_INVALID' : 'MCPS_EVENT_ID_EXPIRED')
    }
    const target = lastEventId === null ? GET_STREAM_ID : await this.#streamOf(session, lastEventId)
    // @note The same caller reconnecting to a stream we still hold open means the old
    // connection is dead but unnoticed (half-open TCP after sleep or a NAT timeout):
    // hand the stream over instead of answering 409 until TCP gives up.
    const stale = target === undefined ? undefined : session.streams.get(target)
    if (stale) await stale.detach()
    return this.forward(session, request, authInfo, undefined, target === undefined ? undefined : { streamId: target, lastEventId })
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
      after = lastEventId ?? await session.events.cursor(GET_STREAM_ID)
    } catch (error) {
      this.#ctx.report('MCPS_STORE_FAILED', `Failed to open a stream for session "${session.id}"`, error)
      return errorResponse('MCPS_STORE_FAILED')
    }
    if (after === undefined) return errorResponse('MCPS_EVENT_ID_INVALID')
    if (lastEventId !== null) this.#ctx.hook('onStreamReattached', session.id, { streamId, lastEventId })
    const prime = lastEventId === null && session.state.protocolVersion >= PRIMING_SINCE ? primingEvent(after) : undefined
    this.#registry.begin(session)
    return followedStream(session.events, streamId, after, { 'mcp-session-id': session.id }, {
      prime,
      keepAliveMs: this.#ctx.settings.streamKeepAliveMs,
      onEnd: how => this.#ended(session, streamId, how)
    })
  }

  #track(session: LiveSession, response: Response, prime: string | undefined, knownStream: string | undefined): Response {
    let streamId: string | undefined
    let over = false
    const register = (id: string) => {
      streamId = id
      session.streams.set(id, tracked)
    }
    this.#registry.begin(session)
    const tracked = trackStream(response, {
      prime,
      keepAliveMs: this.#ctx.settings.streamKeepAliveMs,
      onEventId: knownStream === undefined
        ? id => void this.#streamOf(session, id).then(found => {
          if (found !== undefined && streamId === undefined && !over) register(found)
        })
        : undefined,
      onEnd: how => {
        over = true
        if (streamId !== undefined && session.streams.get(streamId) === tracked) session.streams.delete(streamId)
        this.#ended(session, streamId, how)
      }
    })
    if (knownStream !== undefined) register(knownStream)
    return tracked.response
  }

  /** A stream ended: the session may go idle; a finished stream is retired in the store; a detach is reported. */
  #ended(session: LiveSession, streamId: string | undefined, how: StreamEnd): void {
    this.#registry.finish(session)
    if (how === 'finished' && streamId !== undefined) {
      void this.#safely(`Failed to release stream "${streamId}" of session "${session.id}" in the event store`, () => session.events.finished(streamId))
    }
    if (how === 'detached' && this.#registry.holds(session)) this.#ctx.hook('onStreamDetached', session.id, { streamId })
  }

  #streamOf(session: LiveSession, eventId: string): Promise<string | undefined> {
    return this.#safely('Failed to look up the stream of an event id', () => session.events.getStreamIdForEventId?.(eventId))
  }

  async #safely<T>(message: string, run: () => T | Promise<T>): Promise<T | undefined> {
    try {
      return await run()
    } catch (error) {
      this.#ctx.report('MCPS_STORE_FAILED', message, error)
      return undefined
    }
  }
}
