import type { EventId, EventStore, StreamId } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js'
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js'
import type { EventIdProblem } from './memory-event-store.js'

/**
 * Where a followed stream delivers its events (see {@link SessionEventStore.follow}).
 *
 * @example
 * const stop = events.follow(streamId, lastEventId, { event: (id, message) => write(id, message), end: () => close() })
 */
export interface EventSink {
  event(eventId: EventId, message: JSONRPCMessage): void
  /** The stream is complete: a request stream delivered its response. */
  end(): void
}

/**
 * The event store of ONE session, as the manager uses it: the SDK's
 * `EventStore` plus optional helpers (sync or async). Each helper the store
 * lacks has a fallback, so a plain SDK `EventStore` works too.
 * `MemoryEventStore` implements all of them.
 *
 * @example
 * createSessionManager({
 *   createServer,
 *   eventStore: ({ sessionId }) => new MyRedisEventStore(redis, sessionId)
 * })
 */
export interface SessionEventStore extends EventStore {
  /**
   * Why a `Last-Event-ID` cannot be resumed exactly, or `undefined` when it
   * can. Fallback: 'foreign' when `getStreamIdForEventId` does not know the id.
   */
  check?(eventId: EventId): EventIdProblem | undefined | Promise<EventIdProblem | undefined>
  /**
   * An id meaning "everything on this stream so far", written as a priming
   * event at the start of a fresh GET stream. Fallback: no priming event.
   */
  cursor?(streamId: StreamId): EventId | Promise<EventId>
  /** The stream ended normally (its response went out): release what is no longer needed. */
  finished?(streamId: StreamId): void | Promise<void>
  /** The session ended: release everything held for it. */
  dispose?(): void | Promise<void>
  /**
   * A shared store (Redis): delivers every event after `afterEventId`, then
   * each new one stored by ANY node, in order and once; ends a request stream
   * after its response. When present, the manager serves GET streams (fresh
   * and resumed) from it, so a message stored on one node reaches a stream
   * open on another. Returns a function that stops following.
   */
  follow?(streamId: StreamId, afterEventId: EventId, sink: EventSink): () => void
}
