import type { SessionState } from '../session-store.js'

/** A body over the limit: the caller answers 413. */
export const TOO_LARGE = Symbol('too large')
/** A body that is not JSON: the caller answers 400 -32700. */
export const NOT_JSON = Symbol('not json')

export async function readWebBody(request: Request, limit: number): Promise<string | typeof TOO_LARGE> {
  if (!request.body) return ''
  const reader = request.body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  for (;;) {
    const { value, done } = await reader.read()
    if (done) break
    size += value.byteLength
    if (size > limit) {
      await reader.cancel().catch(() => {})
      return TOO_LARGE
    }
    chunks.push(value)
  }
  return Buffer.concat(chunks, size).toString('utf8')
}

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown
  } catch {
    return NOT_JSON
  }
}

export type BodyKind = 'initialize' | 'initialize-in-batch' | 'other'

interface InitializeLike {
  method: 'initialize'
  params?: { protocolVersion?: unknown; clientInfo?: unknown; capabilities?: unknown }
}

const isInitialize = (message: unknown): message is InitializeLike =>
  typeof message === 'object' && message !== null && (message as { method?: unknown }).method === 'initialize'

/** Whether a POST body starts a session, and whether it does so illegally inside a batch. */
export function classify(body: unknown): BodyKind {
  if (!Array.isArray(body)) return isInitialize(body) ? 'initialize' : 'other'
  if (!body.some(isInitialize)) return 'other'
  return body.length === 1 ? 'initialize' : 'initialize-in-batch'
}

/**
 * The hydrate state of a new session, read from its initialize request. The
 * protocol version is the one the SDK server will answer with: the client's if
 * supported, else the latest (the SDK's negotiation rule).
 */
export function stateFromInitialize(sessionId: string, body: unknown, supported: readonly string[]): SessionState {
  const message = (Array.isArray(body) ? body[0] : body) as InitializeLike
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
