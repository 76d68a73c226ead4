import { EventEmitter, once } from 'node:events'
import { Agent, createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface FrontEntry {
  method: string
  sessionId: string | undefined
  lastEventId: string | undefined
  /** Index of the node that answered (after skipping refused ones). */
  node: number
  status: number
}

/**
 * A per-request round-robin HTTP front for node processes, with no stickiness:
 * every request (also on a reused keep-alive connection) goes to the next
 * node. A node that refuses the connection (dead) is skipped for that request.
 * Responses stream through; `hold` makes the front keep back a response's
 * bytes from a given point (a slow client link): if the node dies meanwhile,
 * the held bytes are lost and the client's connection is cut.
 *
 * @example
 * const front = await startFront([portA, portB, portC])
 * const client = await connectClient(front.url)
 */
export async function startFront(ports: number[], options: { port?: number } = {}) {
  const log: FrontEntry[] = []
  const events = new EventEmitter()
  // No upstream keep-alive: a pooled socket would not pin anything, but a fresh one shows a dead node at once.
  const agent = new Agent({ keepAlive: false })
  let next = 0
  let route: ((req: IncomingMessage, body: string, attempt: number) => number | undefined) | undefined
  let holdRule: ((text: string, req: IncomingMessage) => boolean) | undefined
  const heldResponses = new Set<ServerResponse>()

  const pick = (req: IncomingMessage, body: Buffer, attempt: number) => {
    // A routing rule picks the first attempt only; a refused node falls back to round-robin.
    const chosen = attempt === 0 ? route?.(req, body.toString('utf8'), attempt) : undefined
    if (chosen !== undefined) return chosen
    return next++ % ports.length
  }

  const forward = (req: IncomingMessage, res: ServerResponse, body: Buffer, attempt: number, node: number) => {
    const headers = { ...req.headers, host: `127.0.0.1:${ports[node]}`, connection: 'close' }
    const upstream = httpRequest({ host: '127.0.0.1', port: ports[node], method: req.method, path: req.url, headers, agent }, up => {
      const entry: FrontEntry = {
        method: req.method ?? '',
        sessionId: header(req, 'mcp-session-id'),
        lastEventId: header(req, 'last-event-id'),
        node,
        status: up.statusCode ?? 0
      }
      log.push(entry)
      events.emit('request', entry)
      res.writeHead(up.statusCode ?? 502, withoutHopByHop(up.headers))
      res.flushHeaders()
      let holding = false
      const held: Buffer[] = []
      up.on('data', (chunk: Buffer) => {
        if (!holding && holdRule?.(chunk.toString('utf8'), req)) {
          holding = true
          heldResponses.add(res)
          res.on('close', () => heldResponses.delete(res))
          events.emit('holding', { entry, chunk: chunk.toString('utf8') })
        }
        if (holding) held.push(chunk)
        else res.write(chunk)
      })
      up.on('end', () => {
        if (holding) events.emit('held-complete', entry)
        else res.end()
      })
      // The node went away mid-response: whatever was held back never arrives.
      up.on('error', () => res.destroy())
      up.on('aborted', () => res.destroy())
      res.on('close', () => up.destroy())
    })
    upstream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ECONNREFUSED' && attempt + 1 < ports.length * 2 && !res.headersSent) {
        forward(req, res, body, attempt + 1, pick(req, body, attempt + 1))
        return
      }
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' }).end(`front: ${error.code ?? error.message}`)
      else res.destroy()
    })
    upstream.end(body)
  }

  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const body = Buffer.concat(chunks)
      forward(req, res, body, 0, pick(req, body, 0))
    })
  })
  server.listen(options.port ?? 0, '127.0.0.1')
  await Promise.race([once(server, 'listening'), once(server, 'error').then(([e]) => Promise.reject(e))])
  const { port } = server.address() as AddressInfo

  return {
    url: `http://127.0.0.1:${port}/mcp`,
    port,
    server,
    log,
    events,
    /** Routes a request to a node index (return undefined for round-robin). */
    route(fn: typeof route) {
      route = fn
    },
    /** From the first response chunk for which `rule` holds, keep back the rest of that response. */
    hold(rule: typeof holdRule) {
      holdRule = rule
    },
    /** The slow link fails: every response holding bytes is cut, the held bytes are lost. */
    dropHeld() {
      for (const res of heldResponses) res.destroy()
      heldResponses.clear()
    },
    /** Resolves with the next log entry matching `match`. */
    nextRequest(match: (entry: FrontEntry) => boolean, ms = 5_000) {
      return new Promise<FrontEntry>((resolve, reject) => {
        const timer = setTimeout(() => {
          events.off('request', listener)
          reject(new Error(`front: no matching request within ${ms} ms`))
        }, ms)
        const listener = (entry: FrontEntry) => {
          if (!match(entry)) return
          clearTimeout(timer)
          events.off('request', listener)
          resolve(entry)
        }
        events.on('request', listener)
      })
    },
    /** Stops listening and cuts every open connection. */
    close: async () => {
      if (!server.listening) return
      server.closeAllConnections()
      await new Promise<void>(resolve => server.close(() => resolve()))
    },
    once: (name: string) => once(events, name)
  }
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name]
  return Array.isArray(value) ? value[0] : value
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-connection'])

function withoutHopByHop(headers: IncomingMessage['headers']): IncomingMessage['headers'] {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !HOP_BY_HOP.has(name)))
}
