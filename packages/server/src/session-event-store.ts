import type { EventId, EventStore, StreamId } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js'
import type { EventIdProblem } from './memory-event-store.js'

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
}
