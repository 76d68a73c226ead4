/**
 * Every error the session manager (and `@mcp-sessions/redis`) reports,
 * throws or answers with, declared once: its stable `code`, and for the ones
 * a client receives, the HTTP status, the JSON-RPC error code, the message
 * and the hint that says what to do. The wire text is `<message>: <hint>`.
 */
interface ErrorSpec {
  /** HTTP status, for errors a client receives. */
  readonly status?: number
  /** JSON-RPC `error.code` on the wire. -32001 is the SDKs' "session not found". */
  readonly rpc?: number
  readonly message: string
  readonly hint?: string
  /** Seconds for `Retry-After`: set only where retrying the same request can succeed. */
  readonly retryAfter?: number
}

const SERVER_ERROR = -32000

export const SESSION_ERRORS = {
  MCPS_SESSION_NOT_FOUND: {
    status: 404, rpc: -32001, message: 'Session not found or expired',
    hint: 'start a new session by sending initialize without Mcp-Session-Id'
  },
  MCPS_SESSION_ID_REQUIRED: {
    status: 400, rpc: SERVER_ERROR, message: 'Bad Request: Mcp-Session-Id header is required',
    hint: 'send initialize without Mcp-Session-Id to start a session, then send the id it returns on every request'
  },
  MCPS_SESSION_ID_INVALID: {
    status: 400, rpc: SERVER_ERROR, message: 'Bad Request: malformed Mcp-Session-Id header (1-256 visible ASCII characters expected)',
    hint: 'send the id returned by initialize, or initialize again without Mcp-Session-Id'
  },
  MCPS_ALREADY_INITIALIZED: {
    status: 400, rpc: -32600, message: 'Invalid Request: this session is already initialized',
    hint: 'keep using it, or send initialize without Mcp-Session-Id to start another one'
  },
  MCPS_PARSE_ERROR: { status: 400, rpc: -32700, message: 'Parse error', hint: 'the request body must be valid JSON' },
  MCPS_INVALID_REQUEST: {
    status: 400, rpc: -32600, message: 'Invalid Request', hint: 'initialize must be sent alone, not in a batch with other messages'
  },
  MCPS_INVALID_INITIALIZE: {
    status: 400, rpc: -32600, message: 'Invalid Request: not a valid initialize request',
    hint: 'send {"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion","capabilities","clientInfo":{"name","version"}}}'
  },
  MCPS_NESTING_TOO_DEEP: {
    status: 400, rpc: -32600, message: 'Invalid Request: the message is nested too deeply', hint: 'keep JSON nesting within 128 levels'
  },
  MCPS_PROTOCOL_VERSION_UNSUPPORTED: {
    status: 400, rpc: SERVER_ERROR, message: 'Bad Request: unsupported MCP-Protocol-Version',
    hint: 'send the protocol version initialize returned'
  },
  MCPS_HOST_INVALID: {
    status: 400, rpc: SERVER_ERROR, message: 'Bad Request: malformed Host header', hint: 'send the name or address (and port) the server is reached at'
  },
  MCPS_HOST_NOT_ALLOWED: {
    status: 403, rpc: SERVER_ERROR, message: 'Forbidden: this server does not answer to this Host (DNS rebinding protection)',
    hint: 'reach it by a name it serves; operators list the names clients use in the allowedHosts option'
  },
  MCPS_ORIGIN_NOT_ALLOWED: {
    status: 403, rpc: SERVER_ERROR, message: 'Forbidden: requests from this Origin are not allowed (DNS rebinding protection)',
    hint: 'operators list the browser origins allowed to call the server in the allowedOrigins option'
  },
  MCPS_NOT_ACCEPTABLE: {
    status: 406, rpc: SERVER_ERROR, message: 'Not Acceptable',
    hint: 'accept both application/json and text/event-stream on POST, and text/event-stream on GET'
  },
  MCPS_BODY_INCOMPLETE: { status: 400, rpc: SERVER_ERROR, message: 'Bad Request: the request body ended early', hint: 'send the whole body' },
  MCPS_BODY_TIMEOUT: { status: 408, rpc: SERVER_ERROR, message: 'Request Timeout: the request body did not arrive in time', hint: 'send the whole body at once' },
  MCPS_BODY_TOO_LARGE: { status: 413, rpc: SERVER_ERROR, message: 'Payload Too Large', hint: 'send a smaller request body' },
  MCPS_UNSUPPORTED_MEDIA_TYPE: {
    status: 415, rpc: SERVER_ERROR, message: 'Unsupported Media Type: Content-Type must be application/json', hint: 'send the JSON-RPC message as application/json'
  },
  MCPS_UNSUPPORTED_ENCODING: {
    status: 415, rpc: SERVER_ERROR, message: 'Unsupported Media Type: this Content-Encoding is not accepted', hint: 'send the body uncompressed, without Content-Encoding'
  },
  MCPS_TOO_MANY_SESSIONS: {
    status: 429, rpc: SERVER_ERROR, message: 'Too Many Requests: this caller already holds as many sessions as it may, all of them busy',
    hint: 'end a session you no longer use (DELETE) or keep using an open one'
  },
  MCPS_METHOD_NOT_ALLOWED: { status: 405, rpc: SERVER_ERROR, message: 'Method Not Allowed', hint: 'use POST, GET or DELETE' },
  MCPS_EVENT_ID_INVALID: {
    status: 400, rpc: SERVER_ERROR, message: 'Bad Request: Last-Event-ID was not issued for this session (or its stream has expired)',
    hint: 'open a new GET stream without Last-Event-ID'
  },
  MCPS_EVENT_ID_EXPIRED: {
    status: 400, rpc: SERVER_ERROR, message: 'Bad Request: the events after this Last-Event-ID are no longer retained',
    hint: 'open a new GET stream without Last-Event-ID'
  },
  MCPS_CREATE_SERVER_FAILED: {
    status: 500, rpc: SERVER_ERROR, message: 'Internal error: the server for a new session could not be created', hint: 'try again later'
  },
  MCPS_STORE_FAILED: {
    status: 503, rpc: SERVER_ERROR, message: 'Service Unavailable: the session store did not answer', hint: 'retry shortly', retryAfter: 1
  },
  MCPS_AT_CAPACITY: {
    status: 503, rpc: SERVER_ERROR, message: 'Service Unavailable: every session on this server is busy', hint: 'retry shortly', retryAfter: 5
  },
  MCPS_SHUTTING_DOWN: {
    status: 503, rpc: SERVER_ERROR, message: 'Service Unavailable: the server is shutting down', hint: 'retry on another instance'
  },
  MCPS_INTERNAL_ERROR: {
    status: 500, rpc: SERVER_ERROR, message: 'Internal error: the request could not be handled', hint: 'the session, if any, is unchanged'
  },
  // Reported through onError, never sent to a client.
  MCPS_HOOK_FAILED: { message: 'A hook threw or rejected; the request was handled anyway' },
  MCPS_CLOSE_FAILED: { message: 'Closing a session\'s transport or server failed; the session ended anyway' },
  // Thrown to the code that creates a manager or a backend.
  MCPS_INVALID_OPTIONS: { message: 'The options cannot work together', hint: 'see the message for the option to change' },
  MCPS_SDK_UNPATCHED: {
    message: 'The installed @modelcontextprotocol/sdk lacks fix 1658-hydrate, which the session manager needs',
    hint: 'run `npx mcp-sessions-patch apply` (or add it to postinstall), then `npx mcp-sessions-patch verify`'
  }
} as const satisfies Record<string, ErrorSpec>

/**
 * Stable codes for every error the session manager reports or answers with.
 * Check `code`, not `instanceof`: two copies of this package can be loaded.
 *
 * @example
 * manager = createSessionManager({ createServer, onError: error => {
 *   if (error.code === 'MCPS_HOOK_FAILED') metrics.increment('hook_failures')
 * } })
 */
export type SessionErrorCode = keyof typeof SESSION_ERRORS

/**
 * An error reported by the session manager, through `onError` or in a
 * JSON-RPC error body (`error.data.code`).
 *
 * @example
 * if (error.code === 'MCPS_STORE_FAILED') alert(error.message)
 */
export class SessionManagerError extends Error {
  readonly code: SessionErrorCode
  constructor(code: SessionErrorCode, message: string, options?: { cause?: unknown }) {
    super(`[mcp-sessions] ${message}`, options)
    this.name = 'SessionManagerError'
    this.code = code
  }
}

/** The registry entry of `code`, for the wire answer and hints. */
export function errorSpec(code: SessionErrorCode): ErrorSpec {
  return SESSION_ERRORS[code]
}
