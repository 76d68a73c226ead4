import type { EventId, EventStore, StreamId } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js'
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js'

/**
 * The SDK's stream id of a session's standalone GET stream: notifications
 * that belong to no request go there (`_GET_stream` in every SDK release).
 *
 * @example
 * await events.cursor(GET_STREAM_ID) // resume point of the GET stream
 */
export const GET_STREAM_ID = '_GET_stream'

/**
 * Why a `Last-Event-ID` cannot be resumed: it was never issued by this store
 * (another session, garbage, or a stream already forgotten) or the events
 * after it are gone (older than the grace period or pushed out by the length bound).
 *
 * @example
 * if (await store.check(lastEventId) === 'expired') console.log('too much was missed: open a fresh stream')
 */
export type EventIdProblem = 'foreign' | 'expired'

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
  /** A marker stored on the stream (a stored message without `jsonrpc`), e.g. another node taking the GET stream over. */
  marker?(marker: unknown): void
}

/**
 * Messages without a `jsonrpc` field (the SDK's priming events store `{}`) are
 * markers: kept as positions, never replayed or followed to a client.
 *
 * The event store of ONE session, as the manager uses it: the SDK's
 * `EventStore` plus what resumable streams need. `MemoryEventStore` and the
 * Redis event store implement it; a plain SDK `EventStore` passed to the
 * `eventStore` option is adapted (no priming cursor, `check` through
 * `getStreamIdForEventId`). Methods may be sync or async.
 *
 * @example
 * createSessionManager({
 *   createServer,
 *   eventStore: ({ sessionId }) => new MyEventStore(sessionId)
 * })
 */
export interface SessionEventStore extends EventStore {
  /** `undefined` when a `Last-Event-ID` can be resumed exactly, otherwise why not. */
  check(eventId: EventId): EventIdProblem | undefined | Promise<EventIdProblem | undefined>
  /**
   * An id meaning "everything on this stream so far", written as a priming
   * event at the start of a stream; `undefined` when the store cannot name one.
   */
  cursor(streamId: StreamId): EventId | undefined | Promise<EventId | undefined>
  /**
   * Where a client opening `streamId` without `Last-Event-ID` starts: the
   * beginning of what is retained the first time the stream is opened (so a
   * message stored before the client first listened still reaches it), its
   * end every later time. Marks the stream opened.
   */
  openCursor(streamId: StreamId): EventId | undefined | Promise<EventId | undefined>
  /**
   * The stream an event id belongs to, as `getStreamIdForEventId` answers,
   * for a store that knows it at once (MemoryEventStore): the manager asks
   * this first, without a promise, when a call's stream ends.
   */
  streamOf?(eventId: EventId): StreamId | undefined
  /** The stream ended normally (its response went out): release what is no longer needed. */
  finished(streamId: StreamId): void | Promise<void>
  /** The session ended or left this node: release everything held for it here. */
  dispose(): void | Promise<void>
  /**
   * A shared store (Redis): delivers every event after `afterEventId`, then
   * each new one stored by ANY node, in order and once; ends a request stream
   * after its response. When present, the manager serves GET streams (fresh
   * and resumed) from it, so a message stored on one node reaches a stream
   * open on another. Returns a function that stops following.
   */
  follow?(streamId: StreamId, afterEventId: EventId, sink: EventSink): () => void
}
