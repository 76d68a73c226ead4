import type { IncomingMessage, ServerResponse } from 'node:http'
import { CheckFailure } from './types.js'

/** How the loopback server answers one GET. */
export type GetAnswer = (res: ServerResponse) => void

/** A GET as the loopback server saw it. */
export interface SeenGet {
  lastEventId: string | undefined
}

/** An SSE response that writes `events` (already in wire format) and ends: the stream closes at once. */
export const sseThenEnd = (events = ''): GetAnswer => res => {
  res.writeHead(200, { 'content-type': 'text/event-stream' })
  res.end(events)
}

/** A plain answer with `status` and `headers`, e.g. 503 with Retry-After. */
export const statusOnly = (status: number, headers: Record<string, string> = {}): GetAnswer => res => void res.writeHead(status, headers).end()

/**
 * A loopback handler for a client transport's GET stream: POSTs get 202, GETs
 * the queued answers in order and 405 past the queue (which ends the client's
 * reconnection). `until(n)` waits for the n-th GET, bounded, and fails the
 * check with `what` when it does not come.
 *
 * @example
 * const gets = scriptedGets([sseThenEnd('id: e1\ndata: {}\n\n'), sseThenEnd()])
 * const server = await loopback(gets.handler, signal)
 */
export function scriptedGets(answers: GetAnswer[]) {
  const seen: SeenGet[] = []
  const waiters: Array<() => void> = []
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    req.resume()
    if (req.method !== 'GET') return void res.writeHead(202).end()
    const lastEventId = req.headers['last-event-id']
    seen.push({ lastEventId: Array.isArray(lastEventId) ? lastEventId[0] : lastEventId })
    for (const wake of waiters.splice(0)) wake()
    ;(answers.shift() ?? statusOnly(405))(res)
  }
  const until = (count: number, what: string, ms = 3_000): Promise<SeenGet[]> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new CheckFailure(`${what} (the server saw ${seen.length} GET requests in ${ms} ms)`)), ms)
      const check = () => {
        if (seen.length < count) return void waiters.push(check)
        clearTimeout(timer)
        resolve(seen)
      }
      check()
    })
  return { handler, seen, until }
}
