import type { EventId, StreamId } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js'
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js'
import type { RedisClientType, RedisClusterType } from '@redis/client'
import type { EventSink, SessionEventStore, SessionRelay, SessionStore } from '@mcp-sessions/server'

/**
 * A node-redis client or cluster (`createClient()` / `createCluster()` from
 * `@redis/client`, or the `redis` package). Valkey speaks the same protocol.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type RedisConnection = RedisClientType<any, any, any, any, any> | RedisClusterType<any, any, any, any, any>

/** Options shared by every session's event store on one node. */
export interface RedisEventStoreOptions {
  /** Most events kept per stream (XADD MAXLEN). Default 1000. */
  maxEventsPerStream?: number
  /** Events older than this are trimmed and an unwritten stream's key expires: the reconnect grace period. Default 300_000. */
  maxAgeMs?: number
  /** How long a request stream is kept once its response went out in full. Default 30_000. */
  finishedStreamTtlMs?: number
  /**
   * Followers (open GET streams, resumed streams) read their stream when a
   * publish or a reconnect of the subscriber wakes them; besides, they
   * re-read it this often, a safety net for a publish lost without a
   * disconnect (a Redis Cluster's bus between shards). Default 60_000; 0 turns it off.
   */
  pollIntervalMs?: number
}

/**
 * The event store of one session on Redis Streams, as `redisSessions().eventStore`
 * builds it: one stream key per session and SDK stream, bounded by length and
 * age. Event ids are `<session tag>/<stream>/<entry id>`: they name their
 * stream, and an id of another session is `foreign` here.
 *
 * @example
 * const events = (await redisSessions({ url })).eventStore({ sessionId })
 * events.streamOf(lastEventId) // the stream it resumes, without a Redis call
 */
export interface RedisEventStore extends SessionEventStore {
  /** The stream an event id of this session names; `undefined` for anything else. */
  streamOf(eventId: EventId): StreamId | undefined
  getStreamIdForEventId(eventId: EventId): Promise<StreamId | undefined>
  cursor(streamId: StreamId): Promise<EventId>
  openCursor(streamId: StreamId): Promise<EventId>
  follow(streamId: StreamId, afterEventId: EventId, sink: EventSink): () => void
}

/**
 * What {@link redisSessions} returns: session manager options. `store.close()`
 * (called by `manager.shutdown()`) closes the relay, the subscriber and a
 * client created from `url`.
 *
 * @example
 * const { store, eventStore, relay } = await redisSessions({ url })
 */
export interface RedisSessions {
  store: SessionStore & { close(): Promise<void> }
  eventStore: (context: { sessionId: string }) => RedisEventStore
  relay: RedisRelay
}

/**
 * Answers to server-initiated requests routed between nodes over pub/sub
 * (at most once): `listen` keeps retrying while Redis is away. Session ends
 * too (`announceEnd`, `listenEnds`): a node hears a session DELETEd on
 * another at once, so it re-checks a session's record at most once a second.
 *
 * @example
 * const { relay } = await redisSessions({ url, nodeId: 'node-a' })
 */
export interface RedisRelay extends SessionRelay {
  listen(deliver: (sessionId: string, message: JSONRPCMessage) => void): Promise<void>
  announceEnd(sessionId: string): Promise<void>
  listenEnds(ended: (sessionId: string | undefined) => void): Promise<void>
  readonly hearsEnds: boolean
  close(): Promise<void>
}
