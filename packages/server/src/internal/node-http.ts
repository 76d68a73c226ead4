import type { OutgoingHttpHeaders, ServerResponse } from 'node:http'
import { TrackedAnswer, type Answer } from './streams/tracked-stream.js'

/** Writes what the core answered to a Node response. */
export function writeAnswer(answer: Answer, res: ServerResponse): Promise<void> {
  if (!(answer instanceof TrackedAnswer)) return writeWebResponse(answer, res)
  res.writeHead(answer.status, plainHeaders(answer.headers))
  let ended = false
  answer.attach({
    keepAlive: frame => void res.write(frame),
    end: () => {
      ended = true
      res.end()
    }
  })
  return pump(res, () => answer.read(), reason => answer.cancel(reason), () => ended, answer.kind === 'post')
}

/**
 * Writes a web `Response` to a Node response. A streaming body is pumped
 * with back-pressure; when the client goes away (`close` before the end) the
 * body is cancelled, which detaches the stream and nothing else.
 */
export async function writeWebResponse(response: Response, res: ServerResponse): Promise<void> {
  const headers = plainHeaders(response.headers)
  const streaming = response.body !== null && String(headers['content-type'] ?? '').startsWith('text/event-stream')
  if (!streaming) {
    const body = response.body ? Buffer.from(await response.arrayBuffer()) : undefined
    res.writeHead(response.status, headers)
    res.end(body)
    return
  }
  res.writeHead(response.status, headers)
  const reader = response.body!.getReader()
  const read = async () => {
    const { value, done } = await reader.read()
    return done ? undefined : value
  }
  await pump(res, read, reason => reader.cancel(reason), () => false, false)
}

function plainHeaders(headers: Headers): OutgoingHttpHeaders {
  const plain: OutgoingHttpHeaders = {}
  headers.forEach((value, key) => {
    plain[key] = value
  })
  return plain
}

/**
 * Copies an SSE body to the socket with back-pressure. Writes are corked
 * until the event loop turns: the headers and every event produced in the
 * same turn leave in one write (an echo call's priming event, answer and end
 * are one syscall, not four), and a long stream still flushes each turn.
 * A stream that ends in that turn ends at the turn's end too, so the answers
 * of all the requests one turn read leave back to back instead of one after
 * each request: a write that finds the client's reader asleep pays for
 * waking it, and writing them together wakes it once (a fifth of the CPU of
 * an echo call in packages/tools/bench/session-manager.ts). A stream that
 * ends later ends at once: on Redis, deferring those too cost more than it
 * saved.
 * `ended`: the producer ended the response itself. `patient` (a call's POST
 * stream): what it produces is held up to {@link patience}.ms after the
 * turn, so events that wait on something between them (a store write
 * each, a database) still leave together, with the end when it comes in
 * time; a slow call's stream still opens, and each later event still
 * leaves, within that.
 */
async function pump(res: ServerResponse, read: () => Promise<Uint8Array | undefined>, cancel: (reason?: unknown) => Promise<void>, ended: () => boolean, patient: boolean): Promise<void> {
  let closed = false
  const onClose = () => {
    closed = true
    cancel().catch(() => {})
  }
  res.once('close', onClose)
  let corked = false
  let wrote = false
  let held: ReturnType<typeof setTimeout> | undefined
  /** The body is over: the next flush ends the response (and settles this). */
  let ending: (() => void) | undefined
  const flush = () => {
    corked = false
    held = undefined
    if (ending) {
      if (!closed && !res.writableEnded) res.end()
      return ending()
    }
    if (closed || res.writableEnded) return
    res.uncork()
    // Nothing to write this turn: the client still learns the stream is open.
    if (!wrote) res.flushHeaders()
  }
  // A call's stream nearly always ends within its first turn (the timer is only armed when it did not).
  const turned = () => {
    if (patient && !ending && !closed && !res.writableEnded) held = setTimeout(flush, patience.ms)
    else flush()
  }
  const cork = () => {
    if (corked) return
    corked = true
    res.cork()
    setImmediate(turned)
  }
  cork()
  try {
    for (;;) {
      const value = await read()
      if (value === undefined || closed || ended()) break
      cork()
      wrote = true
      if (!res.write(value)) await drained(res)
    }
    // end() writes whatever is corked: at this turn's flush when one is due (see above), else now.
    if (!closed && !res.writableEnded) {
      if (corked && held === undefined) await new Promise<void>(resolve => (ending = resolve))
      else res.end()
    }
  } catch {
    res.destroy()
  } finally {
    clearTimeout(held)
    if (!closed) res.off('close', onClose)
  }
}

/**
 * How long a call's stream holds what it produced before writing it (see
 * {@link pump}). Internal; tests that must not depend on the event loop
 * keeping 20 ms timing on a busy machine lengthen it.
 */
export const patience = { ms: 20 }

function drained(res: ServerResponse): Promise<void> {
  return new Promise<void>(resolve => {
    const settle = () => {
      res.off('drain', settle)
      res.off('close', settle)
      resolve()
    }
    res.on('drain', settle)
    res.on('close', settle)
  })
}
