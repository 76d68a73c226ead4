import type { IncomingMessage, ServerResponse } from 'node:http'

/**
 * Counts the GET streams a node serves, by kind: a fresh standalone stream
 * (no Last-Event-ID), a resume of the standalone stream (an id naming
 * `_GET_stream`) or a resume of a request stream. A session should hold at
 * most one standalone stream across all nodes; `open` lets a harness add the
 * nodes up.
 *
 * @example
 * const streams = new StreamCounters()
 * http.createServer((req, res) => { streams.track(req, res); manager.handleNodeRequest(req, res) })
 */
export class StreamCounters {
  fresh = 0
  resumedGet = 0
  resumedRequest = 0
  /** Most standalone streams one session held open at once on this node. */
  maxStandalone = 0
  /** Open standalone streams per session id (sessions with none are left out). */
  readonly open: Record<string, number> = {}

  track(req: IncomingMessage, res: ServerResponse): void {
    if (req.method !== 'GET') return
    const session = String(req.headers['mcp-session-id'] ?? '')
    const lastEventId = req.headers['last-event-id']
    if (lastEventId !== undefined && !String(lastEventId).includes('_GET_stream')) {
      // @note A request stream resumed by a client that later reconnects without a token becomes a
      // standalone stream in the client's eyes; this node cannot see that, the fresh GET that follows shows it.
      this.resumedRequest++
      return
    }
    if (lastEventId === undefined) this.fresh++
    else this.resumedGet++
    this.open[session] = (this.open[session] ?? 0) + 1
    this.maxStandalone = Math.max(this.maxStandalone, this.open[session]!)
    res.once('close', () => {
      if (--this.open[session]! <= 0) delete this.open[session]
    })
  }

  toJSON() {
    return { fresh: this.fresh, resumedGet: this.resumedGet, resumedRequest: this.resumedRequest, maxStandalone: this.maxStandalone, open: this.open }
  }
}
