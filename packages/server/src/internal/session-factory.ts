import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js'
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import type { Server } from '@modelcontextprotocol/sdk/server/index.js'
import { WebStandardStreamableHTTPServerTransport, type EventStore } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js'
import { MemoryEventStore } from '../memory-event-store.js'
import { GET_STREAM_ID, type SessionEventStore } from '../session-event-store.js'
import type { SessionRecord, SessionState } from '../session-store.js'
import type { ManagerContext } from './context.js'
import { asSessionEventStore } from './event-store-adapter.js'
import type { LiveSession } from './live-session.js'
import { isResponse } from './messages.js'
import { assertSdkPatched } from './sdk-check.js'

type TransportOptions = ConstructorParameters<typeof WebStandardStreamableHTTPServerTransport>[0]

/** Who asked for a session, as `createServer` sees it. */
export interface Caller {
  principal: string | undefined
  /** The quota key: the principal, or without one the caller's network address. */
  owner: string
  authInfo: AuthInfo | undefined
  request: Request
}

/** A step of building a session failed; `code` says how the caller answers. */
export class BuildFailed extends Error {
  constructor(readonly code: 'MCPS_CREATE_SERVER_FAILED' | 'MCPS_STORE_FAILED', message: string, cause: unknown) {
    super(message, { cause })
  }
}

/**
 * Builds the SDK objects of a session, new or continued from its record, in
 * one way: the app's server, the session's event store and a web-standard
 * transport, connected. A new session's transport issues `id` on initialize;
 * a hydrated one continues `record.state` (fix 1658-hydrate, checked when the
 * factory is made). Does not register anything: the registry does.
 */
export class SessionFactory {
  readonly #ctx: ManagerContext
  readonly #onClosed: (session: LiveSession) => void

  /** `onClosed`: the transport closed itself (the MCP server closed): end the session. */
  constructor(ctx: ManagerContext, onClosed: (session: LiveSession) => void) {
    assertSdkPatched()
    this.#ctx = ctx
    this.#onClosed = onClosed
  }

  /** A new session, announced once the SDK has accepted its initialize. Throws {@link BuildFailed}. */
  create(id: string, state: SessionState, caller: Caller): Promise<LiveSession> {
    const now = this.#ctx.clock.now()
    return this.#build({ id, principal: caller.principal, state, createdAt: now }, caller, false, { sessionIdGenerator: () => id })
  }

  /** A session continued from the store: no initialize runs, no onSessionCreated fires. Throws {@link BuildFailed}. */
  hydrate(record: SessionRecord, caller: Caller): Promise<LiveSession> {
    return this.#build(record, caller, true, { session: record.state } as TransportOptions)
  }

  /** Closes what {@link create} or {@link hydrate} built; every step runs even when one fails. */
  async dispose(session: LiveSession): Promise<void> {
    const { report } = this.#ctx
    try {
      await session.transport.close()
    } catch (error) {
      report('MCPS_CLOSE_FAILED', `Failed to close the transport of session "${session.id}"`, error)
    } finally {
      try {
        await session.server.close()
      } catch (error) {
        report('MCPS_CLOSE_FAILED', `Failed to close the server of session "${session.id}"`, error)
      } finally {
        try {
          await session.events.dispose()
        } catch (error) {
          report('MCPS_STORE_FAILED', `Failed to dispose the event store of session "${session.id}"`, error)
        }
      }
    }
  }

  async #build(record: Omit<SessionRecord, 'lastActiveAt'>, caller: Caller, hydrated: boolean, sdk: TransportOptions): Promise<LiveSession> {
    const { id, principal, state, createdAt } = record
    let server: McpServer | Server
    try {
      server = await this.#ctx.options.createServer({ sessionId: id, principal, authInfo: caller.authInfo, request: caller.request, ...(hydrated ? { hydrated } : {}) })
    } catch (error) {
      const what = hydrated ? `Failed to continue session "${id}" on this node` : 'Failed to create a server for a new session'
      throw new BuildFailed('MCPS_CREATE_SERVER_FAILED', `${what}: createServer threw`, error)
    }
    let events: SessionEventStore
    try {
      events = this.#events(id)
    } catch (error) {
      await server.close().catch(() => {})
      throw new BuildFailed('MCPS_STORE_FAILED', `Failed to create the event store of session "${id}"`, error)
    }
    const storeFailures: LiveSession['storeFailures'] = { count: 0 }
    const transport = new WebStandardStreamableHTTPServerTransport({
      retryInterval: this.#ctx.settings.streamRetryMs,
      // The manager's one ticker keeps every stream alive (streamKeepAliveMs): no interval per stream in SDKs >= 1.32.
      keepAliveMs: 0,
      ...sdk,
      eventStore: events.constructor === MemoryEventStore
        ? events
        : observed(events, storeFailures, error => this.#ctx.report('MCPS_STORE_FAILED', `Failed to store the answer of a call in session "${id}": sent without an event id, a resume continues from the last event stored`, error))
    })
    const session: LiveSession = {
      id, principal, owner: caller.owner, state, createdAt, transport, server, events, storeFailures, streams: new Map(), deliver: undefined,
      busy: 0, storeTouchedAt: this.#ctx.clock.now(), announced: hydrated, closing: false
    }
    // Set before connect(): the SDK chains its own handler after ours.
    transport.onclose = () => this.#onClosed(session)
    try {
      await server.connect(transport)
    } catch (error) {
      await this.dispose(session)
      throw new BuildFailed('MCPS_STORE_FAILED', `Failed to connect the server of session "${id}"`, error)
    }
    return session
  }

  #events(sessionId: string): SessionEventStore {
    const { options, settings, clock, eventPool } = this.#ctx
    if (options.eventStore) return asSessionEventStore(options.eventStore({ sessionId }))
    return new MemoryEventStore({
      maxEvents: settings.maxEventsPerSession,
      maxBytes: settings.maxEventBytesPerSession,
      maxAgeMs: settings.streamGraceMs,
      pool: eventPool,
      clock
    })
  }
}

/**
 * The event store as the SDK transport sees it: every failed write is
 * counted in `failures` (the built-in memory store never fails one). A
 * failed priming event refuses the request (nothing was sent yet, a retry
 * can help: see SessionStreams.forward); a failed write of a message the
 * server sends (a notification, a request) fails that send, so whoever sent
 * it knows. A call's answer that the store fails to keep is reported and
 * still goes out, live and without an event id (the SDK writes no `id:`
 * line for an empty one): the SDK would drop it and leave the stream open
 * for ever, while the call already ran. A client that reconnects resumes
 * from the last event that was stored.
 */
function observed(events: SessionEventStore, failures: LiveSession['storeFailures'], unstored: (error: unknown) => void): EventStore {
  return {
    storeEvent: async (streamId, message) => {
      try {
        return await events.storeEvent(streamId, message)
      } catch (error) {
        failures.count++
        failures.last = error
        if (streamId === GET_STREAM_ID || !isResponse(message)) throw error
        unstored(error)
        return ''
      }
    },
    replayEventsAfter: (lastEventId, options) => events.replayEventsAfter(lastEventId, options),
    ...(events.getStreamIdForEventId ? { getStreamIdForEventId: (eventId: string) => events.getStreamIdForEventId!(eventId) } : {})
  }
}
