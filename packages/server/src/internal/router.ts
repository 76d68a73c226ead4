import type { SessionErrorCode } from '../errors.js'
import { classify, NOT_JSON, TOO_LARGE } from './body.js'
import { isWellFormedSessionId } from './session-id.js'

/** What a request asks the manager to do, decided from its method, headers and parsed body alone. */
export type Route =
  | { action: 'create' }
  /** `initialize` carrying an id: 400 if that session is live, else 404. */
  | { action: 'reinitialize'; sessionId: string }
  | { action: 'post'; sessionId: string }
  | { action: 'get'; sessionId: string }
  | { action: 'delete'; sessionId: string }
  | { action: 'refuse'; code: SessionErrorCode }

export interface RoutedRequest {
  method: string
  /** `Mcp-Session-Id`, or `null` when absent. */
  sessionId: string | null
  /** The parsed POST body; `TOO_LARGE` or `NOT_JSON` when it could not be read. */
  body: unknown
}

/**
 * Routes one request. Pure: no session is looked up, nothing is touched;
 * every refusal it can decide here is decided before anything has a side effect.
 *
 * @example
 * route({ method: 'POST', sessionId: null, body: { jsonrpc: '2.0', id: 1, method: 'initialize', params } }) // { action: 'create' }
 */
export function route({ method, sessionId, body }: RoutedRequest): Route {
  if (method !== 'POST' && method !== 'GET' && method !== 'DELETE') return refuse('MCPS_METHOD_NOT_ALLOWED')
  if (body === TOO_LARGE) return refuse('MCPS_BODY_TOO_LARGE')
  if (body === NOT_JSON) return refuse('MCPS_PARSE_ERROR')
  if (method === 'POST') {
    const kind = classify(body)
    if (kind === 'initialize-in-batch') return refuse('MCPS_INVALID_REQUEST')
    if (kind === 'initialize') {
      if (sessionId === null) return { action: 'create' }
      return isWellFormedSessionId(sessionId) ? { action: 'reinitialize', sessionId } : refuse('MCPS_SESSION_ID_INVALID')
    }
  }
  if (sessionId === null) return refuse('MCPS_SESSION_ID_REQUIRED')
  if (!isWellFormedSessionId(sessionId)) return refuse('MCPS_SESSION_ID_INVALID')
  if (method === 'DELETE') return { action: 'delete', sessionId }
  return method === 'POST' ? { action: 'post', sessionId } : { action: 'get', sessionId }
}

const refuse = (code: SessionErrorCode): Route => ({ action: 'refuse', code })
