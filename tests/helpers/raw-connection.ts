import { once } from 'node:events'
import { connect, type Socket } from 'node:net'
import { expect, onTestFinished } from 'vitest'

/**
 * A raw HTTP/1.1 client over one `net` socket, for tests where the socket's
 * life matters: node's http Agent closes idle keep-alive sockets itself (it
 * honours `Keep-Alive: timeout=`), so the server would never be the side that
 * closes. Writes exact request bytes and parses responses by hand, including
 * an SSE response read only up to its first `data:` event.
 *
 * @example
 * const conn = await RawConnection.open(port)
 * const res = await conn.request({ method: 'POST', body: initialize })
 * expect(res.status).toBe(200)
 * await conn.serverClosed() // the server's FIN, within a bounded wait
 */
export class RawConnection {
  private buffer = Buffer.alloc(0)
  private wake: (() => void) | undefined
  /** The server ended its side (FIN). */
  ended = false
  /** The socket closed. */
  closed = false

  private constructor(readonly socket: Socket) {
    socket.on('data', chunk => {
      this.buffer = Buffer.concat([this.buffer, chunk])
      this.poke()
    })
    socket.on('end', () => {
      this.ended = true
      this.poke()
    })
    socket.on('close', () => {
      this.closed = true
      this.poke()
    })
    socket.on('error', () => {})
  }

  /**
   * Connects to 127.0.0.1:`port`; the socket is destroyed when the test
   * finishes (`register`: a concurrent test passes its context's `onTestFinished`).
   */
  static async open(port: number, register: (cleanup: () => void) => void = onTestFinished): Promise<RawConnection> {
    const socket = connect({ host: '127.0.0.1', port })
    register(() => void socket.destroy())
    await Promise.race([once(socket, 'connect'), once(socket, 'error').then(([e]) => Promise.reject(e))])
    return new RawConnection(socket)
  }

  private poke(): void {
    const wake = this.wake
    this.wake = undefined
    wake?.()
  }

  /** Waits (bounded) until `ready` holds, re-checking on every socket event; fails as an assertion. */
  private async until(what: string, ready: () => boolean, ms: number): Promise<void> {
    const deadline = Date.now() + ms
    while (!ready()) {
      if (this.closed) expect.fail(`socket closed while waiting for ${what}`)
      const left = deadline - Date.now()
      if (left <= 0) expect.fail(`timed out after ${ms} ms waiting for ${what}`)
      await new Promise<void>(resolve => {
        const timer = setTimeout(resolve, left)
        this.wake = () => {
          clearTimeout(timer)
          resolve()
        }
      })
    }
  }

  /** Writes one request; `body` objects are sent as JSON. */
  send(req: RawRequest): void {
    const body = req.body === undefined ? '' : typeof req.body === 'string' ? req.body : JSON.stringify(req.body)
    const headers: Record<string, string> = {
      host: `127.0.0.1:${this.socket.remotePort ?? 0}`,
      accept: req.method === 'GET' ? 'text/event-stream' : 'application/json, text/event-stream',
      ...(req.method === 'POST' ? { 'content-type': 'application/json' } : {}),
      ...(body ? { 'content-length': String(Buffer.byteLength(body)) } : {}),
      ...req.headers
    }
    const head = [`${req.method} ${req.path ?? '/mcp'} HTTP/1.1`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)].join('\r\n')
    this.socket.write(`${head}\r\n\r\n${body}`)
  }

  /** Reads a status line and headers. */
  async readHead(ms = 3_000): Promise<RawHead> {
    let end = -1
    await this.until('a response head', () => (end = this.buffer.indexOf('\r\n\r\n')) >= 0, ms)
    const [statusLine, ...lines] = this.buffer.subarray(0, end).toString('latin1').split('\r\n')
    this.buffer = this.buffer.subarray(end + 4)
    const headers: Record<string, string> = {}
    for (const line of lines) {
      const i = line.indexOf(':')
      headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim()
    }
    return { status: Number(statusLine!.split(' ')[1]), headers }
  }

  /**
   * Reads a body framed by `head` (Content-Length, chunked, or until close).
   * With `stopAt`, returns as soon as the body read so far satisfies it (e.g.
   * the first SSE `data:` event), leaving the rest of the response unread.
   */
  async readBody(head: RawHead, options: ReadOptions = {}): Promise<string> {
    const ms = options.ms ?? 3_000
    const length = head.headers['content-length']
    if (length !== undefined) {
      const n = Number(length)
      await this.until(`a ${n}-byte body`, () => this.buffer.length >= n, ms)
      const text = this.buffer.subarray(0, n).toString('utf8')
      this.buffer = this.buffer.subarray(n)
      return text
    }
    if (head.headers['transfer-encoding'] === 'chunked') {
      let text = ''
      for (;;) {
        let lineEnd = -1
        await this.until('a chunk size', () => (lineEnd = this.buffer.indexOf('\r\n')) >= 0, ms)
        const size = parseInt(this.buffer.subarray(0, lineEnd).toString('latin1'), 16)
        await this.until('a chunk', () => this.buffer.length >= lineEnd + 2 + size + 2, ms)
        text += this.buffer.subarray(lineEnd + 2, lineEnd + 2 + size).toString('utf8')
        this.buffer = this.buffer.subarray(lineEnd + 2 + size + 2)
        if (size === 0) return text
        if (options.stopAt?.(text)) return text
      }
    }
    if (head.status === 204 || head.status === 304 || head.headers.connection !== 'close') return ''
    await this.until('the end of a close-delimited body', () => this.ended, ms)
    const text = this.buffer.toString('utf8')
    this.buffer = Buffer.alloc(0)
    return text
  }

  /** Sends `req` and reads the whole response (or, with `stopAt`, up to it). */
  async request(req: RawRequest, options: ReadOptions = {}): Promise<RawResponse> {
    this.send(req)
    const head = await this.readHead(options.ms)
    const body = await this.readBody(head, options)
    return { ...head, body, messages: jsonRpcMessages(body, head) }
  }

  /** Waits for the server to end the connection (FIN, or a close), bounded; fails as an assertion. */
  async serverClosed(ms = 5_000): Promise<'end' | 'close'> {
    await this.until('the server to close the connection', () => this.ended || this.closed, ms)
    return this.ended ? 'end' : 'close'
  }
}

export interface RawRequest {
  method: 'GET' | 'POST' | 'DELETE'
  path?: string
  headers?: Record<string, string>
  body?: unknown
}

export interface ReadOptions {
  stopAt?: (text: string) => boolean
  ms?: number
}

export interface RawHead {
  status: number
  headers: Record<string, string>
}

export interface RawResponse extends RawHead {
  body: string
  /** JSON-RPC messages in the body: the `data:` lines of an SSE body, or a JSON body. */
  messages: any[]
}

/** A `stopAt` for `readBody`: the first complete SSE `data:` event. */
export const firstSseData = (text: string) => /(^|\n)data: .*\n\n/.test(text)

function jsonRpcMessages(body: string, head: RawHead): any[] {
  if (!body) return []
  if (head.headers['content-type']?.includes('text/event-stream')) {
    return body
      .split('\n')
      .filter(l => l.startsWith('data: ') && l.length > 6)
      .map(l => JSON.parse(l.slice(6)))
  }
  try {
    const json = JSON.parse(body)
    return Array.isArray(json) ? json : [json]
  } catch {
    return []
  }
}
