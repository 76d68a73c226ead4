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
  MCPS_NOT_ACCEPTABLE: {
    status: 406, rpc: SERVER_ERROR, message: 'Not Acceptable: Client must accept text/event-stream',
    hint: 'send Accept: text/event-stream on GET'
  },
  MCPS_BODY_TOO_LARGE: { status: 413, rpc: SERVER_ERROR, message: 'Payload Too Large', hint: 'send a smaller request body' },
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
