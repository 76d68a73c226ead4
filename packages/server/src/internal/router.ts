import { isInitializeRequest, SUPPORTED_PROTOCOL_VERSIONS } from '@modelcontextprotocol/sdk/types.js'
import type { SessionErrorCode } from '../errors.js'
import { checkHostAndOrigin, hostOf } from './host-policy.js'
import { classify } from './messages.js'
import { isWellFormedSessionId } from './session-id.js'
import type { Settings } from './settings.js'

/** A request the manager refuses, and the detail its answer carries. */
export interface Refusal {
  refuse: SessionErrorCode
  detail?: string
}

/** What the head of a request asks for, once nothing in it is refused. */
export type HeadRoute =
  /** POST without `Mcp-Session-Id`: only an initialize can be, with a body within `limit`. */
  | { action: 'initialize'; limit: number }
  | { action: 'post'; sessionId: string; limit: number }
  | { action: 'get'; sessionId: string }
  | { action: 'delete'; sessionId: string }

export const METHODS = ['GET', 'POST', 'DELETE'] as const

/**
 * Routes a request by its method, URL and headers alone, before any body is
 * read and any session is looked up. Pure: everything it refuses is refused
 * before anything has a side effect.
 *
 * @example
 * routeHead(new Request('http://evil.example/mcp', { method: 'POST' }), settings) // { refuse: 'MCPS_HOST_NOT_ALLOWED', … }
 */
export function routeHead(request: Request, settings: Settings): HeadRoute | Refusal {
  const { method, headers } = request
  if (!(METHODS as readonly string[]).includes(method)) return { refuse: 'MCPS_METHOD_NOT_ALLOWED' }
  const url = hostOf(request.url)
  const foreign = checkHostAndOrigin(settings.hosts, url, headers.get('origin'))
  if (foreign) return foreign === 'host' ? { refuse: 'MCPS_HOST_NOT_ALLOWED', detail: `Host "${url.host}"` } : { refuse: 'MCPS_ORIGIN_NOT_ALLOWED', detail: `Origin "${headers.get('origin')}"` }
  const sessionId = headers.get('mcp-session-id')
  if (sessionId !== null && !isWellFormedSessionId(sessionId)) return { refuse: 'MCPS_SESSION_ID_INVALID' }
  const accept = headers.get('accept') ?? ''
  if (method === 'GET' && !accept.includes('text/event-stream')) return { refuse: 'MCPS_NOT_ACCEPTABLE', detail: 'GET must accept text/event-stream' }
  if (method === 'POST') {
    const refused = checkPostHead(headers, sessionId === null ? settings.maxInitializeBytes : settings.maxBodyBytes)
    if (refused) return refused
  }
  // An initialize ignores the header; everything with a session id is checked here (initialize with an id is refused anyway).
  const version = headers.get('mcp-protocol-version')
  if (sessionId !== null && version !== null && !SUPPORTED_PROTOCOL_VERSIONS.includes(version)) {
    return { refuse: 'MCPS_PROTOCOL_VERSION_UNSUPPORTED', detail: `"${version}"; supported: ${SUPPORTED_PROTOCOL_VERSIONS.join(', ')}` }
  }
  if (sessionId === null) return method === 'POST' ? { action: 'initialize', limit: settings.maxInitializeBytes } : { refuse: 'MCPS_SESSION_ID_REQUIRED' }
  if (method === 'POST') return { action: 'post', sessionId, limit: settings.maxBodyBytes }
  return method === 'GET' ? { action: 'get', sessionId } : { action: 'delete', sessionId }
}

function checkPostHead(headers: Headers, limit: number): Refusal | undefined {
  const accept = headers.get('accept') ?? ''
  if (!accept.includes('application/json') || !accept.includes('text/event-stream')) {
    return { refuse: 'MCPS_NOT_ACCEPTABLE', detail: 'POST must accept both application/json and text/event-stream' }
  }
  if (!isJson(headers.get('content-type'))) return { refuse: 'MCPS_UNSUPPORTED_MEDIA_TYPE' }
  const encoding = headers.get('content-encoding')
  if (encoding !== null && encoding.trim().toLowerCase() !== 'identity') return { refuse: 'MCPS_UNSUPPORTED_ENCODING', detail: `"${encoding}"` }
  const length = headers.get('content-length')
  if (length !== null && Number(length) > limit) return { refuse: 'MCPS_BODY_TOO_LARGE', detail: `Content-Length ${length} exceeds ${limit} bytes` }
  return undefined
}

/** `application/json`, with or without parameters: the media type itself, never a substring. */
function isJson(contentType: string | null): boolean {
  if (contentType === null) return false
  return contentType.split(';', 1)[0]!.trim().toLowerCase() === 'application/json'
}

/** What a parsed POST body is: an initialize (without a session), a message for the session, or refused. */
export function routeBody(body: unknown, hasSession: boolean): 'create' | 'post' | Refusal {
  const kind = classify(body)
  if (kind === 'initialize-in-batch') return { refuse: 'MCPS_INVALID_REQUEST' }
  if (hasSession) return kind === 'initialize' ? { refuse: 'MCPS_ALREADY_INITIALIZED' } : 'post'
  if (kind !== 'initialize') return { refuse: 'MCPS_SESSION_ID_REQUIRED' }
  // The SDK's own predicate: what it would refuse after createServer is refused before.
  return isInitializeRequest(Array.isArray(body) ? body[0] : body) ? 'create' : { refuse: 'MCPS_INVALID_INITIALIZE' }
}
