import { randomBytes } from 'node:crypto'
import type { EventId, StreamId } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js'
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js'
import { systemClock, type Clock } from './clock.js'
import { GONE, isMessage, parseEventId, RequestStreams, UNSIZED, type StoredEvent, type StreamState } from './internal/memory-streams.js'
import { poolAdd, poolRelease, type MemoryEventPool, type PooledStore } from './memory-event-pool.js'
import { GET_STREAM_ID, type EventIdProblem, type SessionEventStore } from './session-event-store.js'

/**
 * Options for {@link MemoryEventStore}.
 *
 * @example
 * new MemoryEventStore({ maxEvents: 200, maxBytes: 1024 * 1024, maxAgeMs: 60_000 })
 */
export interface MemoryEventStoreOptions {
  /** Most events kept for one session, over all its streams (oldest dropped first). Default 1000. */
  maxEvents?: number
  /** Most bytes (of JSON) kept for one session, over all its streams (oldest dropped first). Default 8 MiB. */
  maxBytes?: number
  /** Events older than this are dropped, by a timer: the reconnect grace period. Default 300_000 (5 min). */
  maxAgeMs?: number
  /** A byte budget shared with other stores; see {@link MemoryEventPool}. */
  pool?: MemoryEventPool
  /** Time and timers (default `systemClock`); `now` alone overrides the time. */
  clock?: Clock
  now?: () => number
}

/**
 * The SDK's `EventStore` for ONE session. Event ids look like
 * `<store tag>.<stream number>.<sequence>`: the random tag makes an id from
 * another session unknown here and the stream number names the stream, so a
 * replay never crosses streams or sessions (spec §Resumability: MUST NOT
 * replay messages of another stream). Bounded by count, bytes and age (one
 * timer frees expired events even when nothing new arrives); expiry walks
 * only what expires. A request stream that finished after its response is
 * forgotten at once (see {@link MemoryEventStore.finished}).
 *
 * @example
 * const store = new MemoryEventStore({ maxAgeMs: 60_000 })
 * const transport = new WebStandardStreamableHTTPServerTransport({ sessionIdGenerator, eventStore: store })
 */
export class MemoryEventStore implements SessionEventStore {
  readonly #tag = randomBytes(6).toString('base64url')
  readonly #maxEvents: number
  readonly #maxBytes: number
  readonly #maxAgeMs: number
  readonly #clock: Clock
  readonly #now: () => number
  readonly #pool: MemoryEventPool | undefined
  readonly #pooled: PooledStore = { evictOldest: (no, seq) => this.#evictOldest(no, seq), holds: (no, seq) => this.#holds(no, seq) }
  /** Request streams, least recently written first. */
  readonly #streams = new RequestStreams()
  /** The standalone GET stream: never forgotten, so its cursor stays valid for the whole session. */
  #get: StreamState | undefined
  #total = 0
  #bytes = 0
  #nextStreamNo = 1
  /** Streams a client opened without Last-Event-ID at least once. */
  readonly #opened = new Set<StreamId>()
  #timer: unknown
  #timerAt = Infinity
  /** Events were stored since the store last settled: some are not counted in bytes (nor in the pool) yet. */
  #settling = false

  constructor(options: MemoryEventStoreOptions = {}) {
    this.#maxEvents = Math.max(1, options.maxEvents ?? 1000)
    this.#maxBytes = Math.max(1, options.maxBytes ?? 8 * 1024 * 1024)
    this.#maxAgeMs = options.maxAgeMs ?? 300_000
    this.#clock = options.clock ?? systemClock
    this.#now = options.now ?? (() => this.#clock.now())
    this.#pool = options.pool
  }

  /** Events currently retained (all streams). */
  get size(): number {
    this.#settle()
    return this.#total
  }

  /** Bytes (of JSON) currently retained (all streams). */
  get bytes(): number {
    this.#settle()
    return this.#bytes
  }

  async storeEvent(streamId: StreamId, message: JSONRPCMessage): Promise<EventId> {
    const stream = this.#stream(streamId)
    const seq = ++stream.lastSeq
    const event: StoredEvent = { seq, message, at: this.#now(), bytes: UNSIZED }
    stream.events.push(event)
    this.#total++
    if ('id' in message && ('result' in message || 'error' in message)) stream.answered = true
    if (stream !== this.#get) this.#streams.wrote(stream)
    // @note Sizing (a JSON.stringify), bounds, pool and timer wait for the loop to turn: a call's stream is mostly gone by then.
    this.#settling = true
    MemoryEventStore.#later(this, stream, event)
    return this.#id(stream, seq)
  }

  async getStreamIdForEventId(eventId: EventId): Promise<StreamId | undefined> {
    return this.streamOf(eventId)
  }

  /** {@link getStreamIdForEventId} without a promise. */
  streamOf(eventId: EventId): StreamId | undefined {
    return this.#locate(eventId)?.stream.id
  }

  async replayEventsAfter(lastEventId: EventId, { send }: { send: (eventId: EventId, message: JSONRPCMessage) => Promise<void> }): Promise<StreamId> {
    const problem = this.check(lastEventId)
    if (problem) throw new Error(`[mcp-sessions] Failed to replay events after "${lastEventId}": ${problem === 'foreign' ? 'unknown event id' : 'they are no longer retained'}`)
    const { stream, seq } = this.#locate(lastEventId)!
    // Snapshot first: `send` may await while new events are appended.
    const pending = stream.events.slice(stream.head).filter((event): event is StoredEvent => event !== undefined && event.seq > seq)
    for (const event of pending) {
      // Markers (priming events carry `{}`) only mark a position: there is nothing to deliver.
      if (isMessage(event.message)) await send(this.#id(stream, event.seq), event.message)
    }
    return stream.id
  }

  /** Checks a `Last-Event-ID` before a resume: `undefined` when it can be replayed exactly, otherwise why not. */
  check(eventId: EventId): EventIdProblem | undefined {
    if (!this.#settle()) this.#expire()
    const found = this.#locate(eventId)
    if (!found) return 'foreign'
    return found.seq + 1 < found.stream.firstSeq ? 'expired' : undefined
  }

  /** An id for "everything on this stream so far" (no event stored): a new stream's priming id, a cursor to resume from. */
  cursor(streamId: StreamId): EventId {
    const stream = this.#stream(streamId)
    return this.#id(stream, stream.lastSeq)
  }

  /** The first opening of a stream starts at the beginning of what is retained, later ones at its end. */
  openCursor(streamId: StreamId): EventId {
    if (this.#opened.has(streamId)) return this.cursor(streamId)
    this.#opened.add(streamId)
    if (!this.#settle()) this.#expire()
    const stream = this.#stream(streamId)
    return this.#id(stream, stream.firstSeq - 1)
  }

  /** A stream ended normally: one whose response went out is forgotten now (one `closeSSEStream` ended early stays). */
  finished(streamId: StreamId): void {
    const stream = this.#streams.get(streamId)
    if (stream?.answered) this.#forget(stream)
  }

  /** The session ended: drop everything and stop the timer. */
  dispose(): void {
    this.#settling = false
    for (const stream of [...this.#streams.values(), ...(this.#get ? [this.#get] : [])]) this.#forget(stream)
    this.#get = undefined
    this.#disarm()
  }

  /** What every store stored since the loop last turned, as (store, stream, event): one `setImmediate` per turn, no array per store. */
  static #stored: Array<MemoryEventStore | StreamState | StoredEvent> = []

  static #later(store: MemoryEventStore, stream: StreamState, event: StoredEvent): void {
    if (MemoryEventStore.#stored.push(store, stream, event) > 3) return
    setImmediate(() => {
      const stored = MemoryEventStore.#stored
      MemoryEventStore.#stored = []
      for (let i = 0; i < stored.length; i += 3) (stored[i] as MemoryEventStore).#size(stored[i + 1] as StreamState, stored[i + 2] as StoredEvent)
      for (let i = 0; i < stored.length; i += 3) (stored[i] as MemoryEventStore).#settle()
    })
  }

  #id(stream: StreamState, seq: number): EventId {
    return `${this.#tag}.${stream.no}.${seq}`
  }

  #locate(eventId: EventId): { stream: StreamState; seq: number } | undefined {
    const at = parseEventId(eventId, this.#tag)
    const stream = at && this.#byNo(at.no)
    return stream && at.seq <= stream.lastSeq ? { stream, seq: at.seq } : undefined
  }

  #stream(streamId: StreamId): StreamState {
    let stream = streamId === GET_STREAM_ID ? this.#get : this.#streams.get(streamId)
    if (!stream) {
      stream = { id: streamId, no: this.#nextStreamNo++, lastSeq: 0, firstSeq: 1, events: [], head: 0, answered: false }
      if (streamId === GET_STREAM_ID) this.#get = stream
      else this.#streams.add(stream)
    }
    return stream
  }

  /** Counts what was stored since the last time, then applies the age, count and byte bounds; `false` when nothing was waiting. */
  #settle(): boolean {
    if (!this.#settling) return false
    this.#settling = false
    // Called between two turns (a size asked for, a resume): this store's events still wait in the shared list.
    const stored = MemoryEventStore.#stored
    for (let i = 0; i < stored.length; i += 3) if (stored[i] === this) this.#size(stored[i + 1] as StreamState, stored[i + 2] as StoredEvent)
    this.#expire()
    this.#bound()
    this.#arm()
    return true
  }

  /** Counts one stored event in bytes (and in the pool), unless it was counted or has left already. */
  #size(stream: StreamState, event: StoredEvent): void {
    if (event.bytes !== UNSIZED) return
    event.bytes = JSON.stringify(event.message).length
    this.#bytes += event.bytes
    if (this.#pool) poolAdd(this.#pool, { store: this.#pooled, streamNo: stream.no, seq: event.seq }, event.bytes)
  }

  /** Drops what the grace period has passed: request streams not written since, GET events older than it. */
  #expire(): void {
    const oldest = this.#now() - this.#maxAgeMs
    for (const stream of this.#streams.values()) {
      const last = stream.events[stream.events.length - 1]
      if (last && last.at > oldest) break
      this.#forget(stream)
    }
    const get = this.#get
    for (let event = get?.events[get.head]; get && event && event.at <= oldest; event = get.events[get.head]) this.#dropHead(get)
  }

  /** The count and byte bounds: drop the older of the two candidate heads until both hold. */
  #bound(): void {
    while (this.#total > this.#maxEvents || this.#bytes > this.#maxBytes) {
      const request = this.#streams.oldest()
      const getHead = this.#get?.events[this.#get.head]
      const requestHead = request?.events[request.head]
      if (getHead && (!requestHead || getHead.at <= requestHead.at)) this.#dropHead(this.#get!)
      else if (request) this.#dropHead(request)
      else break
    }
  }

  /** One timer, for the next moment something expires. */
  #arm(): void {
    const request = this.#streams.oldest()
    const candidates = [request?.events[request.events.length - 1]?.at, this.#get?.events[this.#get.head]?.at].filter((at): at is number => at !== undefined)
    if (candidates.length === 0) return this.#disarm()
    const at = Math.min(...candidates) + this.#maxAgeMs
    if (this.#timer !== undefined && this.#timerAt <= at) return
    this.#disarm()
    this.#timerAt = at
    this.#timer = this.#clock.setTimeout(() => {
      this.#timer = undefined
      this.#timerAt = Infinity
      this.#expire()
      this.#arm()
    }, Math.max(1, at - this.#now()))
  }

  #disarm(): void {
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer)
    this.#timer = undefined
    this.#timerAt = Infinity
  }

  #byNo(no: number): StreamState | undefined {
    return this.#get?.no === no ? this.#get : this.#streams.byNo(no)
  }

  #holds(streamNo: number, seq: number): boolean {
    const stream = this.#byNo(streamNo)
    return stream !== undefined && seq >= stream.firstSeq && seq <= stream.lastSeq
  }

  /** The pool's budget is exceeded and this store holds the oldest event anywhere. */
  #evictOldest(streamNo: number, seq: number): boolean {
    const stream = this.#byNo(streamNo)
    if (stream?.events[stream.head]?.seq !== seq) return false
    this.#dropHead(stream)
    return true
  }

  #dropHead(stream: StreamState): void {
    const event = stream.events[stream.head]
    if (!event) return
    stream.events[stream.head++] = undefined
    stream.firstSeq = event.seq + 1
    this.#total--
    this.#release(event)
    if (stream.head === stream.events.length && stream !== this.#get) return this.#forget(stream)
    // Compact once the dropped prefix dominates, so the array stays proportional to what is kept.
    if (stream.head > 32 && stream.head * 2 > stream.events.length) {
      stream.events = stream.events.slice(stream.head)
      stream.head = 0
    }
  }

  /** An event leaves: the bytes it was counted with go back; one not counted yet never will be. */
  #release(event: StoredEvent): void {
    if (event.bytes === UNSIZED) event.bytes = GONE
    if (event.bytes < 0) return
    this.#bytes -= event.bytes
    if (this.#pool) poolRelease(this.#pool, event.bytes)
  }

  /** @note A forgotten stream's ids become 'foreign': there is nothing left to replay from it. */
  #forget(stream: StreamState): void {
    for (let i = stream.head; i < stream.events.length; i++) {
      const event = stream.events[i]
      if (event) this.#release(event)
    }
    this.#total -= stream.events.length - stream.head
    stream.events = []
    stream.head = 0
    if (stream !== this.#get) this.#streams.delete(stream)
  }
}
