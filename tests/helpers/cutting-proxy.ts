import { once } from 'node:events'
import { createServer, connect, type AddressInfo, type Socket } from 'node:net'
import { onTestFinished } from 'vitest'

/** A request head as the proxy read it; header names in lower case. */
export interface ProxiedRequest {
  method: string
  path: string
  headers: Record<string, string>
}

/**
 * What happens to one request: passed through, or its response cut right after
 * the response head (the client sees 200 and an event stream, then the
 * connection ends before any event), as a balancer or a dying node does.
 */
export type Verdict = 'pass' | 'cut-after-head'

const END_OF_HEAD = '\r\n\r\n'

function parseHead(head: string): ProxiedRequest {
  const [requestLine = '', ...lines] = head.split('\r\n')
  const [method = '', path = ''] = requestLine.split(' ')
  const headers: Record<string, string> = {}
  for (const line of lines) {
    const colon = line.indexOf(':')
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim()
  }
  return { method, path, headers }
}

type Decide = (request: ProxiedRequest) => Verdict | Promise<Verdict>

/** Carries one client connection to `upstream`, applying a verdict to each request on it. */
function relay(client: Socket, upstream: Socket, decide: Decide, seen: ProxiedRequest[]): void {
  const drop = () => {
    client.destroy()
    upstream.destroy()
  }
  client.on('close', drop)
  upstream.on('close', () => client.end())
  let verdict: Verdict = 'pass'
  let head = Buffer.alloc(0)
  let bodyLeft = 0
  let response = ''
  const fromClient = async (chunk: Buffer) => {
    let rest = chunk
    while (rest.length > 0) {
      if (bodyLeft > 0) {
        const body = rest.subarray(0, bodyLeft)
        upstream.write(body)
        bodyLeft -= body.length
        rest = rest.subarray(body.length)
        continue
      }
      head = Buffer.concat([head, rest])
      const end = head.indexOf(END_OF_HEAD)
      if (end === -1) return
      const raw = head.subarray(0, end + END_OF_HEAD.length)
      rest = head.subarray(raw.length)
      head = Buffer.alloc(0)
      const request = parseHead(raw.toString('latin1'))
      seen.push(request)
      verdict = await decide(request)
      response = ''
      upstream.write(raw)
      bodyLeft = Number(request.headers['content-length'] ?? 0)
    }
  }
  // One chunk at a time, in order, also while a verdict is pending.
  let pending = Promise.resolve()
  client.on('data', chunk => {
    client.pause()
    pending = pending.then(() => fromClient(chunk)).then(() => void client.resume(), drop)
  })
  upstream.on('data', (chunk: Buffer) => {
    if (verdict === 'pass') return void client.write(chunk)
    response += chunk.toString('latin1')
    const end = response.indexOf(END_OF_HEAD)
    if (end === -1) return
    // Forward the head only, then end the connection: the body never starts.
    client.end(Buffer.from(response.slice(0, end + END_OF_HEAD.length), 'latin1'))
    upstream.destroy()
  })
}

/**
 * A TCP proxy on 127.0.0.1 in front of `port` that reads each HTTP/1.1 request
 * head (requests on one connection come one after another: undici does not
 * pipeline) and asks `decide` what to do with it. A verdict may be a promise:
 * the request waits at the proxy until it settles. Request bodies need a
 * Content-Length (the SDK client sends one). Closed when the test ends.
 *
 * @example
 * const proxy = await cuttingProxy(port, req => (req.headers['last-event-id'] ? 'cut-after-head' : 'pass'))
 * const transport = new StreamableHTTPClientTransport(new URL(proxy.url))
 */
export async function cuttingProxy(port: number, decide: Decide) {
  const sockets = new Set<Socket>()
  const seen: ProxiedRequest[] = []
  const track = (socket: Socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    socket.on('error', () => {})
    return socket
  }
  const server = createServer(client => relay(track(client), track(connect(port, '127.0.0.1')), decide, seen))
  server.listen(0, '127.0.0.1')
  await Promise.race([once(server, 'listening'), once(server, 'error').then(([e]) => Promise.reject(e))])
  onTestFinished(async () => {
    for (const socket of sockets) socket.destroy()
    await new Promise<void>(resolve => server.close(() => resolve()))
  })
  const { port: own } = server.address() as AddressInfo
  return { url: `http://127.0.0.1:${own}/mcp`, seen }
}
