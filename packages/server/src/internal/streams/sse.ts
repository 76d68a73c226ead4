import type { EventId } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js'
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js'

/** SSE framing the manager writes itself (the SDK transport frames its own events). */
const encoder = new TextEncoder()

/** A comment frame: keeps proxies from timing out an idle stream, and makes a dead connection fail a write. */
export const KEEP_ALIVE_FRAME = encoder.encode(': keepalive\n\n')

/**
 * A priming event: an id, the reconnection delay, and empty data, which
 * clients of protocol 2025-11-25 and later take as a resume cursor and do
 * not deliver (spec, Transports, Resumability).
 */
export const primingEvent = (eventId: EventId, retryMs: number): string => `id: ${eventId}\nretry: ${retryMs}\ndata: \n\n`

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

/** The longest Last-Event-ID {@link pollResponse} echoes back (ids of our stores are far shorter). */
const MAX_POLLED_ID = 1_024

/**
 * The answer to a GET resume while the store does not answer: a priming
 * event at the client's own cursor, then the end of the stream (SSE polling,
 * spec 2025-11-25). The client reconnects after `retry` with the same cursor,
 * and the resume that finds the store back delivers everything after it:
 * nothing is read or delivered here, so nothing is lost or repeated, and a
 * client that gives up after a few refused reconnections (the SDK's
 * `maxRetries`) keeps listening. `undefined` (the caller answers 503) for a
 * GET without Last-Event-ID (no cursor to give) and for clients older than
 * 2025-11-25 (`version`: they would not read a priming event as one).
 */
export function pollResponse(sessionId: string, version: string | null, lastEventId: string | null, retryMs: number): Response | undefined {
  if (lastEventId === null || lastEventId.length > MAX_POLLED_ID || version === null || version < PRIMING_SINCE) return undefined
  return new Response(primingEvent(lastEventId, retryMs), { status: 200, headers: { ...SSE_HEADERS, 'mcp-session-id': sessionId } })
}
