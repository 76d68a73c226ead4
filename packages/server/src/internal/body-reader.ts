import type { IncomingMessage } from 'node:http'
import type { SessionErrorCode } from '../errors.js'

/** A request body as read and parsed, or why not. */
export type BodyOutcome =
  | { ok: true; body: unknown }
  | { ok: false; code: SessionErrorCode; detail?: string }
  /** The client went away mid-upload: nobody is left to answer. */
  | { ok: false; aborted: true }

/** Deepest JSON nesting accepted: far beyond any MCP message, far below a stack overflow. */
export const MAX_JSON_DEPTH = 128

/**
 * {@link readBody} for a Node request: read at once when Node has buffered
 * it, else on its events (an async iterator and a timer race per request
 * cost about a tenth of a small call). Reading
 * stops at once for a body refused for its size or time; the connection
 * then ends after the answer (see the Node adapter).
 */
export function readNodeBody(req: IncomingMessage, limit: number, timeoutMs: number): Promise<BodyOutcome> | BodyOutcome {
  const buffered = bufferedBody(req, limit)
  if (buffered) return buffered
  // @note Called from the 'request' event, the body that came with the head is not pushed yet: Node's parser
  // pushes it after the event returns, within the same read, so it is buffered once this turn's microtasks run.
  return Promise.resolve().then(() => bufferedBody(req, limit) ?? readNodeEvents(req, limit, timeoutMs))
}

/** The body as it arrives: data events within the limit and the time. */
function readNodeEvents(req: IncomingMessage, limit: number, timeoutMs: number): Promise<BodyOutcome> {
  return new Promise<BodyOutcome>(resolve => {
    const parts: Buffer[] = []
    let size = 0
    const finish = (outcome: BodyOutcome, stop: boolean) => {
      clearTimeout(timer)
      req.off('data', onData)
      req.off('end', onEnd)
      req.off('error', onAbort)
      req.off('close', onAbort)
      if (stop) req.pause()
      resolve(outcome)
    }
    const onData = (chunk: Buffer) => {
      size += chunk.byteLength
      if (size > limit) finish(tooLarge(limit), true)
      else parts.push(chunk)
    }
    const onEnd = () => finish(parseParts(parts, size), false)
    const onAbort = () => finish({ ok: false, aborted: true }, false)
    const timer = setTimeout(() => finish(bodyTimeout(timeoutMs), true), timeoutMs)
    timer.unref?.()
    if (req.readableEnded) return onEnd()
    if (req.destroyed) return onAbort()
    req.on('data', onData)
    req.on('end', onEnd)
    req.on('error', onAbort)
    req.on('close', onAbort)
  })
}

/**
 * The whole body when Node's parser has already buffered all the bytes its
 * Content-Length declares (a small POST arrives with its head): read at
 * once, without listeners or a timer. `undefined` when some of it is still
 * on the way, the length is not declared, or someone else reads it.
 */
function bufferedBody(req: IncomingMessage, limit: number): BodyOutcome | undefined {
  const declared = Number(req.headers['content-length'])
  if (!(declared <= limit) || req.readableLength < declared || req.readableFlowing !== null || req.readableEnded || req.destroyed) return undefined
  const parts: Buffer[] = []
  let size = 0
  for (let chunk = req.read() as Buffer | null; chunk !== null; chunk = req.read() as Buffer | null) {
    parts.push(chunk)
    size += chunk.byteLength
  }
  return parseParts(parts, size)
}

/**
 * Reads at most `limit` bytes of a web request's body within `timeoutMs`,
 * then parses them as JSON nested at most {@link MAX_JSON_DEPTH} deep. Stops
 * reading as soon as the limit is passed or the time is up; never throws.
 */
export async function readBody(source: ReadableStream<Uint8Array> | null, limit: number, timeoutMs: number): Promise<BodyOutcome> {
  if (source === null) return parseParts([], 0)
  const reader = source.getReader()
  const cancel = () => void reader.cancel().catch(() => {})
  let timer: ReturnType<typeof setTimeout> | undefined
  const late = new Promise<'late'>(resolve => {
    timer = setTimeout(() => resolve('late'), timeoutMs)
    timer.unref?.()
  })
  const parts: Uint8Array[] = []
  let size = 0
  try {
    for (;;) {
      const step = await Promise.race([reader.read(), late])
      if (step === 'late') {
        cancel()
        return bodyTimeout(timeoutMs)
      }
      if (step.done) break
      size += step.value.byteLength
      if (size > limit) {
        cancel()
        return tooLarge(limit)
      }
      parts.push(step.value)
    }
  } catch {
    return { ok: false, aborted: true }
  } finally {
    clearTimeout(timer)
  }
  return parseParts(parts, size)
}

export const tooLarge = (limit: number): BodyOutcome => ({ ok: false, code: 'MCPS_BODY_TOO_LARGE', detail: `the body exceeds ${limit} bytes` })

const bodyTimeout = (timeoutMs: number): BodyOutcome => ({ ok: false, code: 'MCPS_BODY_TIMEOUT', detail: `nothing complete within ${timeoutMs} ms` })

const parseParts = (parts: Uint8Array[], size: number): BodyOutcome =>
  parseBody(parts.length === 1 ? Buffer.from(parts[0]!.buffer, parts[0]!.byteOffset, parts[0]!.byteLength).toString('utf8') : Buffer.concat(parts, size).toString('utf8'))

export function parseBody(text: string): BodyOutcome {
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch {
    return { ok: false, code: 'MCPS_PARSE_ERROR' }
  }
  // Valid JSON needs two characters per level of nesting: a short body needs no walk.
  if (text.length <= 2 * MAX_JSON_DEPTH) return { ok: true, body }
  return depthWithin(body, MAX_JSON_DEPTH) ? { ok: true, body } : { ok: false, code: 'MCPS_NESTING_TOO_DEEP' }
}

/** A body a framework already parsed (express.json): checked like one we read. */
export function parsedBody(body: unknown): BodyOutcome {
  return depthWithin(body, MAX_JSON_DEPTH) ? { ok: true, body } : { ok: false, code: 'MCPS_NESTING_TOO_DEEP' }
}

/** Iterative, so a hostile nesting cannot overflow the stack here. */
function depthWithin(value: unknown, max: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 1]]
  for (let item = stack.pop(); item; item = stack.pop()) {
    const [node, depth] = item
    if (typeof node !== 'object' || node === null) continue
    if (depth > max) return false
    for (const child of Array.isArray(node) ? node : Object.values(node)) {
      if (typeof child === 'object' && child !== null) stack.push([child, depth + 1])
    }
  }
  return true
}
