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

/** A message to deliver; the priming marker (`{}`) only marks a position. */
export const isMessage = (message: JSONRPCMessage): boolean => (message as { jsonrpc?: unknown }).jsonrpc !== undefined
