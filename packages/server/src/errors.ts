/**
 * Stable codes for every error the session manager reports or answers with.
 * Check `code`, not `instanceof`: two copies of this package can be loaded.
 *
 * @example
 * manager = createSessionManager({ createServer, onError: error => {
 *   if (error.code === 'MCPS_HOOK_FAILED') metrics.increment('hook_failures')
 * } })
 */
export type SessionErrorCode =
  | 'MCPS_SESSION_NOT_FOUND'
  | 'MCPS_SESSION_ID_REQUIRED'
  | 'MCPS_SESSION_ID_INVALID'
  | 'MCPS_ALREADY_INITIALIZED'
  | 'MCPS_PARSE_ERROR'
  | 'MCPS_INVALID_REQUEST'
  | 'MCPS_BODY_TOO_LARGE'
  | 'MCPS_METHOD_NOT_ALLOWED'
  | 'MCPS_EVENT_ID_INVALID'
  | 'MCPS_EVENT_ID_EXPIRED'
  | 'MCPS_CREATE_SERVER_FAILED'
  | 'MCPS_STORE_FAILED'
  | 'MCPS_HOOK_FAILED'
  | 'MCPS_CLOSE_FAILED'
  | 'MCPS_SHUTTING_DOWN'
  | 'MCPS_INTERNAL_ERROR'

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
