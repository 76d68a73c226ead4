import { InitializeRequestSchema, type JSONRPCMessage, type RequestId } from '@modelcontextprotocol/sdk/types.js'
import type { SessionState } from '../session-store.js'

interface InitializeLike {
  method: 'initialize'
  params?: { protocolVersion?: unknown; clientInfo?: unknown; capabilities?: unknown }
}

const isInitialize = (message: unknown): message is InitializeLike =>
  typeof message === 'object' && message !== null && (message as { method?: unknown }).method === 'initialize'

/** A JSON-RPC response (a result or an error): what ends a call. */
export const isResponse = (m: JSONRPCMessage): m is JSONRPCMessage & { id: RequestId } => !('method' in m) && 'id' in m

/** Whether a POST body starts a session, and whether it does so illegally inside a batch. */
export function classify(body: unknown): 'initialize' | 'initialize-in-batch' | 'other' {
  if (!Array.isArray(body)) return isInitialize(body) ? 'initialize' : 'other'
  if (!body.some(isInitialize)) return 'other'
  return body.length === 1 ? 'initialize' : 'initialize-in-batch'
}

/** The one initialize message of a body `classify` called `initialize`. */
export const initializeOf = (body: unknown): unknown => (Array.isArray(body) ? body[0] : body)

/**
 * The hydrate state of a new session, read from its initialize request. The
 * protocol version is the one the SDK server will answer with: the client's if
 * supported, else the latest (the SDK's negotiation rule).
 */
export function stateFromInitialize(sessionId: string, body: unknown, supported: readonly string[]): SessionState {
  // @note Parsed with the SDK's own schema: it normalizes capabilities (an empty `elicitation: {}` means form
  // elicitation) as the server does when it reads the initialize, so a session continued from this state
  // elsewhere sees the same capabilities as the node that created it.
  const parsed = InitializeRequestSchema.safeParse(initializeOf(body))
  const message = (parsed.success ? parsed.data : initializeOf(body)) as InitializeLike
  const params = message.params ?? {}
  const requested = typeof params.protocolVersion === 'string' ? params.protocolVersion : ''
  const clientInfo = typeof params.clientInfo === 'object' && params.clientInfo !== null
    ? (params.clientInfo as SessionState['clientInfo'])
    : { name: 'unknown', version: 'unknown' }
  const clientCapabilities = typeof params.capabilities === 'object' && params.capabilities !== null
    ? (params.capabilities as SessionState['clientCapabilities'])
    : {}
  return {
    sessionId,
    protocolVersion: supported.includes(requested) ? requested : supported[0]!,
    clientInfo,
    clientCapabilities
  }
}
