import type { StreamId } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js'
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js'

/** What the memory event store keeps per event and per stream (see memory-event-store.ts). */
export interface StoredEvent {
  seq: number
  message: JSONRPCMessage
  at: number
  /** Its JSON length, what the byte bounds count; {@link UNSIZED} until the store settles, {@link GONE} if dropped before. */
  bytes: number
}

export const UNSIZED = -1
export const GONE = -2

export interface StreamState {
  id: StreamId
  no: number
  /** Sequence number of the newest event stored (0: none yet). */
  lastSeq: number
  /** Lowest sequence number still retained; everything below it is gone. */
  firstSeq: number
  events: Array<StoredEvent | undefined>
  head: number
  /** A JSON-RPC response went through: once the stream finishes, nothing is left to resume. */
  answered: boolean
}

/** The stream number and sequence of an id `<tag>.<stream number>.<sequence>` issued under `tag`. */
export function parseEventId(eventId: string, tag: string): { no: number; seq: number } | undefined {
  const parts = eventId.split('.')
  if (parts.length !== 3 || parts[0] !== tag) return undefined
  const no = Number(parts[1])
  const seq = Number(parts[2])
  return Number.isSafeInteger(no) && Number.isSafeInteger(seq) && seq >= 0 ? { no, seq } : undefined
}

/** A message to deliver; the priming marker (`{}`) only marks a position. */
export const isMessage = (message: JSONRPCMessage): boolean => (message as { jsonrpc?: unknown }).jsonrpc !== undefined

/**
 * One store's request streams, least recently written first, found by the
 * SDK's stream id or by number. A session nearly always has one at a time,
 * held in a field: two Maps emptied after every call would reallocate their
 * tables, which then live (and are promoted by the garbage collector) until
 * the session's next call. The Maps take over from the second stream on.
 */
export class RequestStreams {
  #solo: StreamState | undefined
  readonly #byId = new Map<StreamId, StreamState>()
  readonly #byNo = new Map<number, StreamState>()

  get(id: StreamId): StreamState | undefined {
    return this.#solo?.id === id ? this.#solo : this.#byId.get(id)
  }

  byNo(no: number): StreamState | undefined {
    return this.#solo?.no === no ? this.#solo : this.#byNo.get(no)
  }

  /** A new stream: the most recently written. */
  add(stream: StreamState): void {
    if (this.#solo === undefined && this.#byId.size === 0) {
      this.#solo = stream
      return
    }
    if (this.#solo) this.#keep(this.#solo)
    this.#solo = undefined
    this.#keep(stream)
  }

  /** `stream` was written: it becomes the most recently written. */
  wrote(stream: StreamState): void {
    if (stream === this.#solo || this.#byId.get(stream.id) !== stream) return
    this.#byId.delete(stream.id)
    this.#byId.set(stream.id, stream)
  }

  delete(stream: StreamState): void {
    if (stream === this.#solo) this.#solo = undefined
    else if (this.#byId.get(stream.id) === stream) {
      this.#byId.delete(stream.id)
      this.#byNo.delete(stream.no)
    }
  }

  /** The least recently written stream. */
  oldest(): StreamState | undefined {
    return this.#solo ?? this.#byId.values().next().value
  }

  /** Oldest first; deleting while iterating is allowed. */
  values(): Iterable<StreamState> {
    return this.#solo ? [this.#solo] : this.#byId.values()
  }

  #keep(stream: StreamState): void {
    this.#byId.set(stream.id, stream)
    this.#byNo.set(stream.no, stream)
  }
}
