/**
 * The hostile-input suite's target: tests/fixtures/hostile-server.ts in its
 * own process (node --expose-gc), through either entry point, in memory or
 * on a private Redis; raw HTTP requests with any method, Host, source address
 * or body; the checks every case ends with (nothing else touched, nothing
 * reported, memory bounded).
 */
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http'
import { afterAll, beforeAll, expect } from 'vitest'
import { startServerProcess, type ServerProcess } from '../helpers/process.js'
import { startRedis, type RedisServer } from '../helpers/redis.js'

export type Entry = 'node' | 'web'
export type Store = 'memory' | 'redis'

export const TARGETS: Array<{ entry: Entry; store: Store }> = [
  { entry: 'node', store: 'memory' },
  { entry: 'web', store: 'memory' },
  { entry: 'node', store: 'redis' },
  { entry: 'web', store: 'redis' }
]

export const PROTOCOL = '2025-11-25'
export const ACCEPT = 'application/json, text/event-stream'

export interface Answer {
  status: number
  headers: IncomingHttpHeaders
  body: string
  /** The JSON body, or the first JSON-RPC message of an SSE body. */
  json: any
}

export interface RawInit {
  method?: string
  path?: string
  headers?: Record<string, string | undefined>
  body?: string | Buffer
  /** Loopback source address: 127.0.0.2 is "another machine" for the per-caller quota. */
  from?: string
}

export interface Stats {
  servers: number
  created: string[]
  closed: Array<{ id: string; reason: string }>
  errors: string[]
  local: number
  heapUsed: number
  rss: number
}

/** One raw request; `headers.host` overrides the Host header. Never throws on a status. */
export function raw(port: number, init: RawInit = {}): Promise<Answer> {
  const headers: Record<string, string> = { host: `127.0.0.1:${port}` }
  for (const [k, v] of Object.entries(init.headers ?? {})) if (v !== undefined) headers[k.toLowerCase()] = v
  return new Promise<Answer>((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method: init.method ?? 'POST', path: init.path ?? '/mcp', headers, setHost: false, localAddress: init.from, agent: false }, res => {
      const chunks: Buffer[] = []
      res.on('data', chunk => chunks.push(chunk as Buffer))
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8')
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, json: parse(body, res.headers['content-type']) })
      })
      res.on('error', reject)
    })
    req.setTimeout(20_000, () => req.destroy(new Error('no answer within 20 s')))
    req.on('error', reject)
    req.end(init.body)
  })
}

function parse(body: string, type: string | undefined): unknown {
  if (!body) return undefined
  if ((type ?? '').startsWith('text/event-stream')) {
    const data = body.split('\n').find(line => line.startsWith('data: ') && line.length > 6)
    return data ? JSON.parse(data.slice(6)) : undefined
  }
  try {
    return JSON.parse(body)
  } catch {
    return undefined
  }
}

export const rpc = (method: string, params: Record<string, unknown> = {}, id: number | string = 1) => JSON.stringify({ jsonrpc: '2.0', id, method, params })
export const initializeBody = (capabilities: unknown = {}) =>
  rpc('initialize', { protocolVersion: PROTOCOL, capabilities, clientInfo: { name: 'hostile', version: '0' } })
export const postHeaders = (sessionId?: string): Record<string, string> => ({
  accept: ACCEPT,
  'content-type': 'application/json',
  'mcp-protocol-version': PROTOCOL,
  ...(sessionId ? { 'mcp-session-id': sessionId } : {})
})

/** The answer is the registry's refusal: this status, this `data.code`, a JSON-RPC error body, `Retry-After` only on 5xx. */
export function expectRefusal(answer: Answer, status: number, code: string): void {
  expect({ status: answer.status, code: answer.json?.error?.data?.code }).toEqual({ status, code })
  expect(answer.json).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: expect.any(Number), message: expect.any(String) } })
  if (status < 500 && status !== 429) expect(answer.headers['retry-after']).toBeUndefined()
}

/**
 * Starts a target for a describe block (fresh Redis per target). `options`
 * go to the manager as MANAGER_OPTIONS.
 */
export function useTarget(entry: Entry, store: Store, options: Record<string, unknown> = {}) {
  let server: ServerProcess | undefined
  let redis: RedisServer | undefined
  const kills: Array<() => Promise<void>> = []
  beforeAll(async () => {
    if (store === 'redis') redis = await startRedis(cleanup => kills.push(cleanup))
    server = await startServerProcess('tests/fixtures/hostile-server.ts', {
      ENTRY: entry, STORE: store, REDIS_URL: redis?.url ?? '', MANAGER_OPTIONS: JSON.stringify(options)
    }, 30_000, { nodeArgs: ['--expose-gc'], cleanup: kill => kills.push(kill) })
  }, 60_000)
  afterAll(async () => {
    for (const kill of kills.reverse()) await kill()
  })
  const port = () => server!.port

  const target = {
    port,
    raw: (init: RawInit = {}) => raw(port(), init),
    async stats(gc = false): Promise<Stats> {
      return JSON.parse((await raw(port(), { method: 'GET', path: gc ? '/stats?gc=1' : '/stats' })).body) as Stats
    },
    /** A session started with raw requests (initialize + initialized); returns its id. */
    async session(init: { from?: string; capabilities?: unknown } = {}): Promise<string> {
      const answer = await raw(port(), { headers: postHeaders(), body: initializeBody(init.capabilities), from: init.from })
      const id = answer.headers['mcp-session-id']
      if (answer.status !== 200 || typeof id !== 'string') throw new Error(`initialize failed: ${answer.status} ${answer.body}`)
      await raw(port(), { headers: postHeaders(id), body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }), from: init.from })
      return id
    },
    echo: (sessionId: string, text = 'hi', from?: string) =>
      raw(port(), { headers: postHeaders(sessionId), body: rpc('tools/call', { name: 'echo', arguments: { text } }, 2), from }),
    /** `id` still answers and was never closed: a bystander the attack must not touch. */
    async expectUntouched(...ids: string[]): Promise<void> {
      for (const id of ids) expect((await target.echo(id, 'still here')).json?.result?.content?.[0]?.text).toBe('still here')
      const { closed } = await target.stats()
      expect(closed.filter(c => ids.includes(c.id))).toEqual([])
    },
    /** Nothing reached onError: client mistakes are answered, not reported as faults. */
    async expectNothingReported(): Promise<void> {
      expect((await target.stats()).errors).toEqual([])
    }
  }
  return target
}
