import { randomBytes } from 'node:crypto'
import type { EventId, EventStore, StreamId } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js'
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js'

/**
 * Why a `Last-Event-ID` cannot be resumed: it was never issued by this store
 * (another session, another store, garbage) or its stream's events are gone
 * (older than the grace period or pushed out by the length bound).
 */
export type EventIdProblem = 'foreign' | 'expired'

interface StoredEvent {
  stream: StreamState
  seq: number
  message: JSONRPCMessage
  at: number
}

interface StreamState {
  id: StreamId
  no: number
  /** Sequence number of the newest event stored for this stream (0: none yet). */
  lastSeq: number
  /** Lowest sequence number still retained; everything below it is gone. */
  firstSeq: number
  /** Events of this stream still in the log. */
  retained: number
}

/**
 * Options for {@link MemoryEventStore}.
 *
 * @example
 * new MemoryEventStore({ maxEvents: 200, maxAgeMs: 60_000 })
 */
export interface MemoryEventStoreOptions {
  /** Most events kept for one session, over all its streams (oldest dropped first). Default 1000. */
  maxEvents?: number
  /** Events older than this are dropped: the reconnect grace period. Default 300_000 (5 min). */
  maxAgeMs?: number
  now?: () => number
}

/**
 * The SDK's `EventStore` for ONE session. Event ids look like
 * `<store tag>.<stream number>.<sequence>`: the random tag makes an id from
 * another session (or another store) unknown here, the stream number names the
 * stream, so a replay never crosses streams or sessions (spec §Resumability:
 * MUST NOT replay messages of another stream). Bounded by length and age; the
 * cost of expiry is proportional to what expires.
 *
 * @example
 * const store = new MemoryEventStore({ maxAgeMs: 60_000 })
 * const transport = new WebStandardStreamableHTTPServerTransport({ sessionIdGenerator, eventStore: store })
 */
export class MemoryEventStore implements EventStore {
  readonly #tag = randomBytes(6).toString('base64url')
  readonly #maxEvents: number
  readonly #maxAgeMs: number
  readonly #now: () => number
  readonly #streams = new Map<StreamId, StreamState>()
  readonly #byNo = new Map<number, StreamState>()
  /** All retained events, oldest first; `#head` is the index of the oldest. */
  #log: StoredEvent[] = []
  #head = 0
  #nextStreamNo = 1

  constructor(options: MemoryEventStoreOptions = {}) {
    this.#maxEvents = options.maxEvents ?? 1000
    this.#maxAgeMs = options.maxAgeMs ?? 300_000
    this.#now = options.now ?? Date.now
  }

  /** Events currently retained (all streams). */
  get size(): number {
    return this.#log.length - this.#head
  }

  async storeEvent(streamId: StreamId, message: JSONRPCMessage): Promise<EventId> {
    const stream = this.#stream(streamId)
    const seq = ++stream.lastSeq
    stream.retained++
    this.#log.push({ stream, seq, message, at: this.#now() })
    this.#trim()
    return this.#id(stream, seq)
  }

  async getStreamIdForEventId(eventId: EventId): Promise<StreamId | undefined> {
    return this.#locate(eventId)?.stream.id
  }

  async replayEventsAfter(lastEventId: EventId, { send }: { send: (eventId: EventId, message: JSONRPCMessage) => Promise<void> }): Promise<StreamId> {
    this.#trim()
    const found = this.#locate(lastEventId)
    if (!found) throw new Error(`[mcp-sessions] Failed to replay events: unknown event id "${lastEventId}"`)
    if (found.seq + 1 < found.stream.firstSeq) {
      throw new Error(`[mcp-sessions] Failed to replay events after "${lastEventId}": they are no longer retained`)
    }
    // Snapshot first: `send` may await while new events are appended.
    const pending: StoredEvent[] = []
    for (let i = this.#head; i < this.#log.length; i++) {
      const event = this.#log[i]!
      if (event.stream === found.stream && event.seq > found.seq) pending.push(event)
    }
    for (const event of pending) {
      // Priming events carry `{}`: they only mark a position, there is nothing to deliver.
      if (!isEmpty(event.message)) await send(this.#id(event.stream, event.seq), event.message)
    }
    return found.stream.id
  }

  /**
   * Checks a `Last-Event-ID` before a resume: `undefined` when it can be
   * replayed exactly, otherwise why not.
   */
  check(eventId: EventId): EventIdProblem | undefined {
    this.#trim()
    const found = this.#locate(eventId)
    if (!found) return 'foreign'
    return found.seq + 1 < found.stream.firstSeq ? 'expired' : undefined
  }

  /**
   * An event id for "everything on this stream so far", without storing an
   * event: sent as a priming id on a new stream, it lets the client resume
   * even if the stream drops before its first message.
   */
  cursor(streamId: StreamId): EventId {
    const stream = this.#stream(streamId)
    return this.#id(stream, stream.lastSeq)
  }

  /** The stream an id of this store names, or `undefined`. */
  streamOf(eventId: EventId): StreamId | undefined {
    return this.#locate(eventId)?.stream.id
  }

  #id(stream: StreamState, seq: number): EventId {
    return `${this.#tag}.${stream.no}.${seq}`
  }

  #locate(eventId: EventId): { stream: StreamState; seq: number } | undefined {
    const parts = eventId.split('.')
    if (parts.length !== 3 || parts[0] !== this.#tag) return undefined
    const stream = this.#byNo.get(Number(parts[1]))
    const seq = Number(parts[2])
    if (!stream || !Number.isSafeInteger(seq) || seq < 0 || seq > stream.lastSeq) return undefined
    return { stream, seq }
  }

  #stream(streamId: StreamId): StreamState {
    let stream = this.#streams.get(streamId)
    if (!stream) {
      stream = { id: streamId, no: this.#nextStreamNo++, lastSeq: 0, firstSeq: 1, retained: 0 }
      this.#streams.set(streamId, stream)
      this.#byNo.set(stream.no, stream)
    }
    return stream
  }

  #trim(): void {
    const oldest = this.#now() - this.#maxAgeMs
    while (this.#head < this.#log.length) {
      const event = this.#log[this.#head]!
      if (this.size <= this.#maxEvents && event.at > oldest) break
      this.#log[this.#head++] = undefined as never
      const stream = event.stream
      stream.firstSeq = event.seq + 1
      if (--stream.retained === 0 && stream.lastSeq === event.seq) this.#forget(stream)
    }
    // Compact once the dropped prefix dominates, so the array stays proportional to what is kept.
    if (this.#head > 64 && this.#head * 2 > this.#log.length) {
      this.#log = this.#log.slice(this.#head)
      this.#head = 0
    }
  }

  /**
   * @note A stream with nothing retained is forgotten, so ids that name it
   * become 'foreign'; the standalone GET stream is kept so its cursor survives.
   */
  #forget(stream: StreamState): void {
    if (stream.id === '_GET_stream') return
    this.#streams.delete(stream.id)
    this.#byNo.delete(stream.no)
  }
}

function isEmpty(message: JSONRPCMessage): boolean {
  for (const _ in message) return false
  return true
}
