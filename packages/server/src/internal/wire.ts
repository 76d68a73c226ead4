import { errorSpec, type SessionErrorCode } from '../errors.js'

/**
 * The JSON-RPC error answer for `code` (see the registry in errors.ts): `id:
 * null`, the stable code in `error.data.code`, `Retry-After` where the
 * registry says a retry helps. `detail` adds what only the request knows.
 *
 * @example
 * return errorResponse('MCPS_BODY_TOO_LARGE', { detail: 'the request body exceeds 4194304 bytes' })
 */
export function errorResponse(code: SessionErrorCode, options: { detail?: string; headers?: Record<string, string> } = {}): Response {
  const spec = errorSpec(code)
  const head = options.detail ? `${spec.message} (${options.detail})` : spec.message
  const message = spec.hint ? `${head}: ${spec.hint}` : head
  const body = JSON.stringify({ jsonrpc: '2.0', error: { code: spec.rpc ?? -32000, message, data: { code } }, id: null })
  const headers: Record<string, string> = { 'content-type': 'application/json', ...options.headers }
  if (spec.retryAfter !== undefined) headers['retry-after'] = String(spec.retryAfter)
  return new Response(body, { status: spec.status ?? 500, headers })
}

export const isEventStream = (response: Response): boolean =>
  response.body !== null && (response.headers.get('content-type') ?? '').startsWith('text/event-stream')
