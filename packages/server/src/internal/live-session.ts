import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js'
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import type { Server } from '@modelcontextprotocol/sdk/server/index.js'
import type { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js'
import type { SessionEventStore } from '../session-event-store.js'
import type { SessionState } from '../session-store.js'
import type { OpenStream } from './streams/tracked-stream.js'

/** A session this node serves: its SDK objects and the bookkeeping of the lifetime policy. */
export interface LiveSession {
  id: string
  principal: string | undefined
  /** Whose quota the session counts against: its principal, or the caller's address without one. */
  owner: string
  state: SessionState
  createdAt: number
  transport: WebStandardStreamableHTTPServerTransport
  server: McpServer | Server
  events: SessionEventStore
  /** With a relay: hands a client's answer (original id restored) to the session's server. */
  deliver: ((message: JSONRPCMessage) => void) | undefined
  /**
   * Event-store writes of the SDK transport that failed, and the last error:
   * the SDK answers a stream it could not open (its priming event not
   * stored) 400 "Parse error", which this tells apart from a bad request.
   */
  storeFailures: { count: number; last?: unknown }
  /** Open streams whose event-store stream id is known. */
  streams: Map<string, OpenStream>
  /** Requests in flight plus open streams; only a session at 0 can go idle. */
  busy: number
  storeTouchedAt: number
  /** onSessionCreated ran, so onSessionClosed will. */
  announced: boolean
  /** Set once, by the registry's teardown: nothing may use the session any more. */
  closing: boolean
}
