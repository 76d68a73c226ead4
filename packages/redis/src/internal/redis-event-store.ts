import { createHash } from 'node:crypto'
import type { EventId, StreamId } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js'
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js'
import { GET_STREAM_ID, type EventIdProblem, type EventSink, type SessionEventStore } from '@mcp-sessions/server'
import { streamKey } from './keys.js'
import type { PubSub } from './pubsub.js'
import type { RedisEventStoreOptions } from '../redis-types.js'
import { compareEntryIds, splitEntryId, type Commands } from './redis.js'


const ID_SEPARATOR = '/'

// Append, trim by length (MAXLEN) and by age (MINID from Redis' own clock),
// keep the key for the grace period, and wake followers: one atomic step.
// Each entry records its predecessor (field p), so a reader can tell whether
// the entries just before the oldest retained one were trimmed.
const STORE = `
local prev = '0-0'
local last = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', 1)[1]
if last then prev = last[1] end
local id = redis.call('XADD', KEYS[1], 'MAXLEN', ARGV[2], '*', 'm', ARGV[1], 'p', prev)
local t = redis.call('TIME')
local oldest = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) - tonumber(ARGV[3])
if oldest > 0 then redis.call('XTRIM', KEYS[1], 'MINID', string.format('%d', oldest)) end
redis.call('PEXPIRE', KEYS[1], ARGV[3])
redis.call('PUBLISH', KEYS[1], id)
return id`

// Newest id ever issued, oldest retained entry and its predecessor; nil without a key.
const INFO = `
if redis.call('EXISTS', KEYS[1]) == 0 then return false end
local info = redis.call('XINFO', 'STREAM', KEYS[1])
local last = '0-0'
for i = 1, #info, 2 do if info[i] == 'last-generated-id' then last = info[i + 1] end end
local first = redis.call('XRANGE', KEYS[1], '-', '+', 'COUNT', 1)[1]
if not first then return {last, '', '0-0'} end
local prev = '0-0'
for i = 1, #first[2], 2 do if first[2][i] == 'p' then prev = first[2][i + 1] end end
return {last, first[1], prev}`

/**
 * The SDK's `EventStore` for ONE session, on Redis Streams: one stream key per
 * session and SDK stream (`mcps:{<session>}:s:<stream>`), bounded by length
 * (MAXLEN) and age (MINID trim, key TTL). Event ids are
 * `<session tag>/<stream>/<entry id>`: they name their stream, and the tag
 * (a hash of the session id) makes an id of another session foreign here, so
 * a replay never crosses streams or sessions. Built by {@link RedisStreamEventStores.forSession}.
 *
 * @example
 * const stores = new RedisStreamEventStores(commands, pubsub)
 * createSessionManager({ createServer, eventStore: ({ sessionId }) => stores.forSession(sessionId) })
 */
export class RedisStreamEventStore implements SessionEventStore {
  readonly #stores: RedisStreamEventStores
  readonly #sessionId: string
  readonly #tag: string
  /** Request streams whose response this node stored: they may linger briefly once finished. */
  readonly #answered = new Set<StreamId>()

  constructor(stores: RedisStreamEventStores, sessionId: string) {
    this.#stores = stores
    this.#sessionId = sessionId
    this.#tag = createHash('sha256').update(sessionId).digest('base64url').slice(0, 8)
  }

  async storeEvent(streamId: StreamId, message: JSONRPCMessage): Promise<EventId> {
    const s = this.#stores
    const key = this.#key(streamId)
    const entry = await s.redis.script<string>(STORE, [key], [JSON.stringify(message), String(s.maxEvents), String(s.maxAgeMs)])
    if (streamId !== GET_STREAM_ID && isResponse(message)) this.#answered.add(streamId)
    return this.#eventId(streamId, entry)
  }

  async getStreamIdForEventId(eventId: EventId): Promise<StreamId | undefined> {
    return this.streamOf(eventId)
  }

  async replayEventsAfter(lastEventId: EventId, { send }: { send: (eventId: EventId, message: JSONRPCMessage) => Promise<void> }): Promise<StreamId> {
    const problem = await this.check(lastEventId)
    if (problem) throw new Error(`[mcp-sessions] Failed to replay events after "${lastEventId}": ${problem === 'foreign' ? 'unknown event id' : 'they are no longer retained'}`)
    const { streamId, entry } = this.#parse(lastEventId)!
    for (;;) {
      const batch = await this.#read(streamId, entry)
      if (batch.length === 0) return streamId
      for (const event of batch) {
        if (event.message) await send(this.#eventId(streamId, event.entry), event.message)
      }
      if (batch.length < READ_BATCH) return streamId
    }
  }

  /** The stream a well-formed id of this session names (no Redis call: ids encode it). */
  streamOf(eventId: EventId): StreamId | undefined {
    return this.#parse(eventId)?.streamId
  }

  /** `undefined` when `eventId` can be resumed exactly; else why not. */
  async check(eventId: EventId): Promise<EventIdProblem | undefined> {
    const parsed = this.#parse(eventId)
    if (!parsed) return 'foreign'
    const info = await this.#info(parsed.streamId)
    // No key: nothing was ever written (a priming cursor "0-0"), or it all expired.
    if (!info) return parsed.entry === '0-0' ? undefined : 'expired'
    if (compareEntryIds(parsed.entry, info.lastGenerated) > 0) return 'foreign'
    // The oldest retained entry names its predecessor: a cursor before that one missed trimmed events.
    if (compareEntryIds(parsed.entry, info.firstPrev) < 0) return 'expired'
    return undefined
  }

  /** An id for "everything on this stream so far", without storing an event (the priming cursor). */
  async cursor(streamId: StreamId): Promise<EventId> {
    return this.#eventId(streamId, (await this.#info(streamId))?.lastGenerated ?? '0-0')
  }

  /** The stream's response went out in full: keep its events only briefly. */
  async finished(streamId: StreamId): Promise<void> {
    if (!this.#answered.delete(streamId)) return
    const key = this.#key(streamId)
    await this.#stores.redis.call(key, ['PEXPIRE', key, String(this.#stores.finishedTtlMs), 'LT'])
  }

  /** The session left this node: nothing is held here but the set of answered streams. */
  dispose(): void {
    this.#answered.clear()
  }

  /**
   * Delivers every event after `afterEventId` and then each new one as it is
   * stored, by any node, in order and once. A request stream ends after its
   * response. Returns a function that stops following.
   */
  follow(streamId: StreamId, afterEventId: EventId, sink: EventSink): () => void {
    const parsed = this.#parse(afterEventId)
    if (!parsed || parsed.streamId !== streamId) throw new Error(`[mcp-sessions] Failed to follow stream "${streamId}": "${afterEventId}" is not an event id of it`)
    let cursor = parsed.entry
    let stopped = false
    let pulling = false
    let again = false
    let unsubscribe: (() => void) | undefined
    const s = this.#stores
    const stop = () => {
      if (stopped) return
      stopped = true
      clearInterval(timer)
      unsubscribe?.()
    }
    const pull = async (): Promise<void> => {
      if (stopped) return
      if (pulling) {
        again = true
        return
      }
      pulling = true
      try {
        do {
          again = false
          for (let batch = await this.#read(streamId, cursor); batch.length > 0 && !stopped; batch = await this.#read(streamId, cursor)) {
            for (const event of batch) {
              cursor = event.entry
              if (!event.message) continue
              sink.event(this.#eventId(streamId, event.entry), event.message)
              if (streamId !== GET_STREAM_ID && isResponse(event.message)) {
                stop()
                sink.end()
                return
              }
            }
          }
        } while (again && !stopped)
      } catch (error) {
        // Redis is away: the poll timer (or the next publish) tries again.
        s.onError(error)
      } finally {
        pulling = false
      }
    }
    const timer = setInterval(() => void pull(), s.pollIntervalMs)
    timer.unref()
    s.pubsub.subscribe(this.#key(streamId), () => void pull()).then(
      off => {
        if (stopped) off()
        else unsubscribe = off
        void pull()
      },
      error => {
        s.onError(error)
        void pull()
      }
    )
    return stop
  }

  #key(streamId: StreamId): string {
    return streamKey(this.#stores.prefix, this.#sessionId, streamId)
  }

  #eventId(streamId: StreamId, entry: string): EventId {
    return `${this.#tag}${ID_SEPARATOR}${streamId}${ID_SEPARATOR}${entry}`
  }

  #parse(eventId: EventId): { streamId: StreamId; entry: string } | undefined {
    if (typeof eventId !== 'string' || eventId.length > 200) return undefined
    const parts = eventId.split(ID_SEPARATOR)
    if (parts.length !== 3 || parts[0] !== this.#tag || !STREAM_ID.test(parts[1]!) || !splitEntryId(parts[2]!)) return undefined
    return { streamId: parts[1]!, entry: parts[2]! }
  }

  async #info(streamId: StreamId): Promise<{ lastGenerated: string; firstPrev: string } | undefined> {
    const reply = await this.#stores.redis.script<string[] | null>(INFO, [this.#key(streamId)], [])
    if (!Array.isArray(reply)) return undefined
    return { lastGenerated: String(reply[0]), firstPrev: String(reply[2]) }
  }

  /** Up to READ_BATCH entries after `entry` (exclusive). */
  async #read(streamId: StreamId, entry: string): Promise<Array<{ entry: string; message: JSONRPCMessage | undefined }>> {
    const key = this.#key(streamId)
    const reply = await this.#stores.redis.call<Array<[string, string[]]>>(key, ['XRANGE', key, `(${entry}`, '+', 'COUNT', String(READ_BATCH)], true)
    return (reply ?? []).map(([id, fields]) => {
      const json = fields[fields.indexOf('m') + 1]
      const message = json ? JSON.parse(json) as JSONRPCMessage : undefined
      // Priming events are stored as `{}`: a position, nothing to deliver.
      return { entry: id, message: message && Object.keys(message).length > 0 ? message : undefined }
    })
  }
}

const READ_BATCH = 256

/** SDK stream ids: a UUID, or `_GET_stream`. */
const STREAM_ID = /^[A-Za-z0-9_-]{1,64}$/

function isResponse(message: JSONRPCMessage): boolean {
  return 'id' in message && !('method' in message) && ('result' in message || 'error' in message)
}

/**
 * The event stores of every session on one node: the Redis commands, the
 * shared subscriber and the bounds. `forSession` is cheap (no Redis call).
 *
 * @example
 * eventStore: ({ sessionId }) => stores.forSession(sessionId)
 */
export class RedisStreamEventStores {
  readonly redis: Commands
  readonly pubsub: PubSub
  readonly prefix: string
  readonly maxEvents: number
  readonly maxAgeMs: number
  readonly finishedTtlMs: number
  readonly pollIntervalMs: number
  readonly onError: (error: unknown) => void

  constructor(redis: Commands, pubsub: PubSub, prefix: string, options: RedisEventStoreOptions = {}, onError: (error: unknown) => void = () => {}) {
    this.redis = redis
    this.pubsub = pubsub
    this.prefix = prefix
    this.maxEvents = Math.max(1, options.maxEventsPerStream ?? 1000)
    this.maxAgeMs = Math.max(1, options.maxAgeMs ?? 300_000)
    this.finishedTtlMs = Math.max(1, Math.min(this.maxAgeMs, options.finishedStreamTtlMs ?? 30_000))
    this.pollIntervalMs = Math.max(100, options.pollIntervalMs ?? 5_000)
    this.onError = onError
  }

  forSession(sessionId: string): RedisStreamEventStore {
    return new RedisStreamEventStore(this, sessionId)
  }
}
