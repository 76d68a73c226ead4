import { createHash } from 'node:crypto'
import type { EventId, StreamId } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js'
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js'
import { GET_STREAM_ID, type EventIdProblem, type EventSink, type SessionEventStore } from '@mcp-sessions/server'
import { openedKey, streamKey } from './keys.js'
import type { PubSub } from './pubsub.js'
import type { RedisEventStoreOptions } from '../redis-types.js'
import { compareEntryIds, splitEntryId, type Commands } from './redis.js'
import { Retirements } from './retirements.js'
import { followStream, type ReadEntry } from './stream-follower.js'


const ID_SEPARATOR = '/'

// Append, trim by length (MAXLEN) and by age (MINID from Redis' own clock),
// keep the key for the grace period, and wake followers: one atomic step.
// Each entry records its predecessor (field p), so a reader can tell whether
// the entries just before the oldest retained one were trimmed. KEYS[2], the
// "opened" flag (ARGV[4] = 1), lives as long as the stream; only the GET
// stream has one. The keys after it are finished streams of the same session
// (same hash slot) whose TTL is cut to ARGV[5] on the way, never lengthened.
const STORE = `
local first = 2 + tonumber(ARGV[4])
for i = first, #KEYS do redis.call('PEXPIRE', KEYS[i], ARGV[5], 'LT') end
local prev = '0-0'
local last = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', 1)[1]
if last then prev = last[1] end
local id = redis.call('XADD', KEYS[1], 'MAXLEN', ARGV[2], '*', 'm', ARGV[1], 'p', prev)
local t = redis.call('TIME')
local oldest = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) - tonumber(ARGV[3])
if oldest > 0 then redis.call('XTRIM', KEYS[1], 'MINID', string.format('%d', oldest)) end
redis.call('PEXPIRE', KEYS[1], ARGV[3])
if first == 3 then redis.call('PEXPIRE', KEYS[2], ARGV[3]) end
redis.call('PUBLISH', KEYS[1], id)
return id`

// Newest id ever issued, oldest retained entry and its predecessor; nil without a key.
const INFO_BODY = `
if redis.call('EXISTS', KEYS[1]) == 0 then return false end
local info = redis.call('XINFO', 'STREAM', KEYS[1])
local last = '0-0'
for i = 1, #info, 2 do if info[i] == 'last-generated-id' then last = info[i + 1] end end
local first = redis.call('XRANGE', KEYS[1], '-', '+', 'COUNT', 1)[1]
if not first then return {last, '', '0-0'} end
local prev = '0-0'
for i = 1, #first[2], 2 do if first[2][i] == 'p' then prev = first[2][i + 1] end end
return {last, first[1], prev}`
const INFO = INFO_BODY

// The first opening of a stream (no "opened" flag yet) starts at the beginning of what is retained, every later
// one at the end. The flag lives as long as the stream key (STORE refreshes both).
const OPEN = `
local opened = redis.call('EXISTS', KEYS[2]) == 1
redis.call('SET', KEYS[2], '1', 'PX', ARGV[1])
local info = (function() ${INFO_BODY} end)()
if not info then return '0-0' end
if opened then return info[1] end
return info[3]`

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
  /** Request streams this node stored on: `true` once their response is stored (they may linger briefly once finished). */
  readonly #streams = new Map<StreamId, boolean>()

  constructor(stores: RedisStreamEventStores, sessionId: string) {
    this.#stores = stores
    this.#sessionId = sessionId
    this.#tag = createHash('sha256').update(sessionId).digest('base64url').slice(0, 8)
  }

  async storeEvent(streamId: StreamId, message: JSONRPCMessage): Promise<EventId> {
    const s = this.#stores
    const request = streamId !== GET_STREAM_ID
    if (request && !this.#streams.has(streamId)) {
      this.#streams.set(streamId, false)
      // @note The SDK primes a request stream it has just named (a random UUID), before anything is on it: the
      // position "before the first entry" needs no write. See #primingEntry for how check() still tells such an
      // id of a stream that never existed (foreign) or is long gone (expired).
      if (isPriming(message)) return this.#eventId(streamId, this.#primingEntry(streamId, Date.now()))
    }
    const key = this.#key(streamId)
    const keys = request ? [key] : [key, this.#openedKey(streamId)]
    // The session's finished streams ride along: their retirement costs no command of its own.
    const retired = s.retirements.take(this.#sessionId)
    if (retired) keys.push(...retired)
    const args = [JSON.stringify(message), String(s.maxEvents), String(s.maxAgeMs), request ? '0' : '1', String(s.retirements.ttlMs)]
    const entry = await s.redis.script<string>(STORE, keys, args)
    if (request && isResponse(message)) this.#streams.set(streamId, true)
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
    const primedAt = this.#primedAt(parsed.streamId, parsed.entry)
    if (primedAt === null) return 'foreign'
    const info = await this.#info(parsed.streamId)
    // No key: nothing was ever written (a cursor "0-0", a request stream primed within the grace period), or it all expired.
    if (!info) return parsed.entry === '0-0' || (primedAt !== undefined && primedAt >= Date.now() - this.#stores.maxAgeMs) ? undefined : 'expired'
    if (compareEntryIds(parsed.entry, info.lastGenerated) > 0) return 'foreign'
    // The oldest retained entry names its predecessor: a cursor before that one missed trimmed events.
    if (compareEntryIds(parsed.entry, info.firstPrev) < 0) return 'expired'
    return undefined
  }

  /** An id for "everything on this stream so far", without storing an event (the priming cursor). */
  async cursor(streamId: StreamId): Promise<EventId> {
    return this.#eventId(streamId, (await this.#info(streamId))?.lastGenerated ?? '0-0')
  }

  /** Where a client opening the stream without Last-Event-ID starts: its beginning the first time, its end later. */
  async openCursor(streamId: StreamId): Promise<EventId> {
    const entry = await this.#stores.redis.script<string>(OPEN, [this.#key(streamId), this.#openedKey(streamId)], [String(this.#stores.maxAgeMs)])
    return this.#eventId(streamId, String(entry))
  }

  /** The stream's response went out in full: keep its events only briefly (sent with the session's next write or touch). */
  finished(streamId: StreamId): void {
    const answered = this.#streams.get(streamId)
    this.#streams.delete(streamId)
    if (answered) this.#stores.retirements.add(this.#sessionId, this.#key(streamId))
  }

  /** The session left this node: nothing is held here but the request streams it wrote. */
  dispose(): void {
    this.#streams.clear()
  }

  /**
   * Delivers every event after `afterEventId` and then each new one as it is
   * stored, by any node, in order and once. A request stream ends after its
   * response. Returns a function that stops following.
   */
  follow(streamId: StreamId, afterEventId: EventId, sink: EventSink): () => void {
    const parsed = this.#parse(afterEventId)
    if (!parsed || parsed.streamId !== streamId) throw new Error(`[mcp-sessions] Failed to follow stream "${streamId}": "${afterEventId}" is not an event id of it`)
    const s = this.#stores
    return followStream({
      pubsub: s.pubsub,
      channel: this.#key(streamId),
      read: entry => this.#read(streamId, entry),
      batch: READ_BATCH,
      eventId: entry => this.#eventId(streamId, entry),
      ends: message => streamId !== GET_STREAM_ID && isResponse(message),
      safetyNetMs: s.pollIntervalMs,
      onError: s.onError
    }, parsed.entry, sink)
  }

  #key(streamId: StreamId): string {
    return streamKey(this.#stores.prefix, this.#sessionId, streamId)
  }

  #openedKey(streamId: StreamId): string {
    return openedKey(this.#stores.prefix, this.#sessionId, streamId)
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

  /**
   * The entry of a request stream's priming id: `0-<issued at, ms><6 check digits>`. It sorts before every real
   * entry (their first part is a time), so it resumes the whole stream; the check digits (a hash of the session,
   * the stream and the time) let any node tell it from one pasted onto another stream, without a Redis call.
   * The time is this node's clock: a skew between nodes only moves the end of the grace period by as much.
   */
  #primingEntry(streamId: StreamId, issuedAt: number): string {
    const check = fnv1a(`${this.#sessionId}\n${streamId}\n${issuedAt}`) % 1_000_000
    return `0-${issuedAt}${String(check).padStart(6, '0')}`
  }

  /** When a priming entry of `streamId` was issued; `null` for a forged one; `undefined` for any other entry. */
  #primedAt(streamId: StreamId, entry: string): number | null | undefined {
    const [ms, seq] = splitEntryId(entry)!
    if (ms !== 0n || seq < 1_000_000n) return undefined
    const issuedAt = Number(seq / 1_000_000n)
    return this.#primingEntry(streamId, issuedAt) === entry ? issuedAt : null
  }

  async #info(streamId: StreamId): Promise<{ lastGenerated: string; firstPrev: string } | undefined> {
    const reply = await this.#stores.redis.script<string[] | null>(INFO, [this.#key(streamId)], [])
    if (!Array.isArray(reply)) return undefined
    return { lastGenerated: String(reply[0]), firstPrev: String(reply[2]) }
  }

  /** Up to READ_BATCH entries after `entry` (exclusive). */
  async #read(streamId: StreamId, entry: string): Promise<ReadEntry[]> {
    const key = this.#key(streamId)
    const reply = await this.#stores.redis.call<Array<[string, string[]]>>(key, ['XRANGE', key, `(${entry}`, '+', 'COUNT', String(READ_BATCH)], true)
    return (reply ?? []).map(([id, fields]) => {
      const json = fields[fields.indexOf('m') + 1]
      const message = json ? JSON.parse(json) as JSONRPCMessage : undefined
      // Markers (priming events are stored as `{}`) are a position, nothing to deliver; a follower may read them.
      const deliverable = message !== undefined && (message as { jsonrpc?: unknown }).jsonrpc !== undefined
      return { entry: id, message: deliverable ? message : undefined, marker: deliverable ? undefined : message }
    })
  }
}

const READ_BATCH = 256

/** SDK stream ids: a UUID, or `_GET_stream`. */
const STREAM_ID = /^[A-Za-z0-9_-]{1,64}$/

/** FNV-1a, 32 bits: check digits against a slip, not a secret (whoever holds the session can compute them). */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193)
  return hash >>> 0
}

/** The SDK's priming event: an empty object. */
function isPriming(message: JSONRPCMessage): boolean {
  for (const _ in message) return false
  return true
}

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
  /** Finished request streams waiting for their short TTL: the session store's touch or a timer sends them. */
  readonly retirements: Retirements
  readonly onError: (error: unknown) => void

  constructor(redis: Commands, pubsub: PubSub, prefix: string, options: RedisEventStoreOptions = {}, onError: (error: unknown) => void = () => {}) {
    this.redis = redis
    this.pubsub = pubsub
    this.prefix = prefix
    this.maxEvents = Math.max(1, options.maxEventsPerStream ?? 1000)
    this.maxAgeMs = Math.max(1, options.maxAgeMs ?? 300_000)
    this.finishedTtlMs = Math.max(1, Math.min(this.maxAgeMs, options.finishedStreamTtlMs ?? 30_000))
    // @note Followers wake on publishes and when the subscriber reconnects; the interval only covers a publish
    // lost without a disconnect (a Redis Cluster's bus between shards). 0 turns it off.
    const poll = options.pollIntervalMs ?? 60_000
    this.pollIntervalMs = poll <= 0 ? 0 : Math.max(100, poll)
    this.onError = onError
    // A few seconds' wait lets the session's next request carry the retirement; bounded by the short TTL itself.
    this.retirements = new Retirements(redis, this.finishedTtlMs, Math.min(5_000, this.finishedTtlMs), onError)
  }

  forSession(sessionId: string): RedisStreamEventStore {
    return new RedisStreamEventStore(this, sessionId)
  }
}
