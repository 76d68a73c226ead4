import type { EventId } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js'
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js'

/** SSE framing the manager writes itself (the SDK transport frames its own events). */
const encoder = new TextEncoder()

/** A comment frame: keeps proxies from timing out an idle stream, and makes a dead connection fail a write. */
export const KEEP_ALIVE_FRAME = encoder.encode(': keepalive\n\n')

/**
 * A priming event: an id and empty data, which clients of protocol
 * 2025-11-25 and later take as a resume cursor and do not deliver.
 */
export const primingEvent = (eventId: EventId): string => `id: ${eventId}\ndata: \n\n`

export const messageEvent = (eventId: EventId, message: JSONRPCMessage): Uint8Array =>
  encoder.encode(`event: message\nid: ${eventId}\ndata: ${JSON.stringify(message)}\n\n`)

export const encode = (text: string): Uint8Array => encoder.encode(text)

/** Headers of an SSE response the manager produces itself. */
export const SSE_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'text/event-stream',
  'cache-control': 'no-cache, no-transform',
  connection: 'keep-alive',
  'x-accel-buffering': 'no'
}

/** Protocol versions from which clients understand an empty-data priming event. */
export const PRIMING_SINCE = '2025-11-25'
