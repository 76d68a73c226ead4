import type { SessionErrorCode } from '../errors.js'

/** JSON-RPC error codes used on the wire. -32001 is the SDKs' "session not found". */
export const RPC = {
  parseError: -32700,
  invalidRequest: -32600,
  serverError: -32000,
  sessionNotFound: -32001
} as const

/**
 * A JSON-RPC error response with `id: null`; `data.code` carries our stable
 * code so clients and logs can branch on it without parsing the message.
 */
export function rpcError(status: number, rpcCode: number, code: SessionErrorCode, message: string, headers: Record<string, string> = {}): Response {
  const body = JSON.stringify({ jsonrpc: '2.0', error: { code: rpcCode, message, data: { code } }, id: null })
  return new Response(body, { status, headers: { 'content-type': 'application/json', ...headers } })
}

export const notFound = () =>
  rpcError(404, RPC.sessionNotFound, 'MCPS_SESSION_NOT_FOUND',
    'Session not found or expired: start a new session by sending initialize without Mcp-Session-Id')

export const idRequired = () =>
  rpcError(400, RPC.serverError, 'MCPS_SESSION_ID_REQUIRED',
    'Bad Request: Mcp-Session-Id header is required: send initialize without Mcp-Session-Id to start a session, then send the id it returns on every request')

export const idInvalid = () =>
  rpcError(400, RPC.serverError, 'MCPS_SESSION_ID_INVALID',
    'Bad Request: malformed Mcp-Session-Id header (1-256 visible ASCII characters expected): send the id returned by initialize, or initialize again without Mcp-Session-Id')

export const alreadyInitialized = () =>
  rpcError(400, RPC.invalidRequest, 'MCPS_ALREADY_INITIALIZED',
    'Invalid Request: this session is already initialized: keep using it, or send initialize without Mcp-Session-Id to start another one')

export const parseError = () =>
  rpcError(400, RPC.parseError, 'MCPS_PARSE_ERROR', 'Parse error: the request body is not valid JSON')

export const initializeInBatch = () =>
  rpcError(400, RPC.invalidRequest, 'MCPS_INVALID_REQUEST',
    'Invalid Request: initialize must be sent alone, not in a batch with other messages')

export const bodyTooLarge = (limit: number) =>
  rpcError(413, RPC.serverError, 'MCPS_BODY_TOO_LARGE', `Payload Too Large: the request body exceeds ${limit} bytes`)

export const methodNotAllowed = () =>
  rpcError(405, RPC.serverError, 'MCPS_METHOD_NOT_ALLOWED', 'Method Not Allowed: use POST, GET or DELETE', { allow: 'GET, POST, DELETE' })

export const shuttingDown = () =>
  rpcError(503, RPC.serverError, 'MCPS_SHUTTING_DOWN', 'Service Unavailable: the server is shutting down; retry on another instance')

export const createFailed = () =>
  rpcError(500, RPC.serverError, 'MCPS_CREATE_SERVER_FAILED', 'Internal error: the server for a new session could not be created; try again later')

export const storeFailed = () =>
  rpcError(503, RPC.serverError, 'MCPS_STORE_FAILED', 'Service Unavailable: the session store did not answer; retry shortly', { 'retry-after': '1' })

export const internalError = () =>
  rpcError(500, RPC.serverError, 'MCPS_INTERNAL_ERROR', 'Internal error: the request could not be handled; the session, if any, is unchanged')

export const eventIdRejected = (problem: 'foreign' | 'expired') => problem === 'foreign'
  ? rpcError(400, RPC.serverError, 'MCPS_EVENT_ID_INVALID',
    'Bad Request: Last-Event-ID was not issued for this session (or its stream has expired): open a new GET stream without Last-Event-ID')
  : rpcError(400, RPC.serverError, 'MCPS_EVENT_ID_EXPIRED',
    'Bad Request: the events after this Last-Event-ID are no longer retained: open a new GET stream without Last-Event-ID')

export const isEventStream = (response: Response): boolean =>
  response.body !== null && (response.headers.get('content-type') ?? '').startsWith('text/event-stream')
