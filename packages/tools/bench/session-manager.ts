/**
 * Benchmark: @mcp-sessions/server vs the hand-written sessions-map pattern
 * (the SDK README's, on the UNPATCHED SDK 1.32.2 from the matrix cell).
 *
 *   npm run matrix -- install 1.32.2     # once: provides .matrix/1.32.2/plain
 *   npx tsx packages/tools/bench/session-manager.ts [--slices 7] [--seconds 1.5]
 *
 * Each variant runs in its own server process (node --expose-gc), both alive
 * at once; a separate loader process creates sessions and drives tools/call
 * over 10 keep-alive connections in short slices that alternate between the
 * two servers, so drift on a shared machine hits both alike. Compare the
 * ratios (same run only), not the absolute figures.
 */
import { fork, type ChildProcess } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { once } from 'node:events'
import { existsSync } from 'node:fs'
import { Agent, createServer, request, type IncomingMessage, type RequestListener, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

type Variant = 'map' | 'manager'
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..')
const plainSdk = join(root, '.matrix', '1.32.2', 'plain', 'node_modules', '@modelcontextprotocol', 'sdk', 'dist', 'esm')
const PROTOCOL = '2025-11-25'
const ACCEPT = 'application/json, text/event-stream'

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`)
  return i > 0 ? Number(process.argv[i + 1]) : fallback
}

// ---------------------------------------------------------------- server child

async function demoTool(server: any, z: any) {
  server.registerTool('echo', { inputSchema: { text: z.string() } }, ({ text }: { text: string }) => ({ content: [{ type: 'text', text }] }))
  return server
}

async function mapHandler(): Promise<RequestListener> {
  const { StreamableHTTPServerTransport } = await import(pathToFileURL(join(plainSdk, 'server', 'streamableHttp.js')).href)
  const { McpServer } = await import(pathToFileURL(join(plainSdk, 'server', 'mcp.js')).href)
  const { isInitializeRequest } = await import(pathToFileURL(join(plainSdk, 'types.js')).href)
  const { z } = await import('zod')
  const transports: Record<string, any> = {}
  return async (req, res) => {
    const sessionId = req.headers['mcp-session-id'] as string | undefined
    if (sessionId && transports[sessionId]) return transports[sessionId].handleRequest(req, res)
    if (!sessionId && req.method === 'POST') {
      const chunks: Buffer[] = []
      for await (const chunk of req) chunks.push(chunk as Buffer)
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8'))
      if (isInitializeRequest(body)) {
        const transport = new StreamableHTTPServerTransport({
          sessionIdGenerator: () => randomUUID(),
          onsessioninitialized: (id: string) => { transports[id] = transport }
        })
        transport.onclose = () => { if (transport.sessionId) delete transports[transport.sessionId] }
        await (await demoTool(new McpServer({ name: 'bench', version: '1.0.0' }), z)).connect(transport)
        return transport.handleRequest(req, res, body)
      }
    }
    res.writeHead(400, { 'content-type': 'application/json' }).end('{"jsonrpc":"2.0","error":{"code":-32000,"message":"Bad Request"},"id":null}')
  }
}

async function managerHandler(): Promise<RequestListener> {
  const { createSessionManager } = await import('@mcp-sessions/server')
  const { McpServer } = await import('@modelcontextprotocol/sdk/server/mcp.js')
  const { z } = await import('zod')
  const manager = createSessionManager({ createServer: () => demoTool(new McpServer({ name: 'bench', version: '1.0.0' }), z) as any })
  return (req: IncomingMessage, res: ServerResponse) => void manager.handleNodeRequest(req, res)
}

async function serverMain(variant: Variant) {
  const handler = variant === 'map' ? await mapHandler() : await managerHandler()
  const server = createServer(handler)
  server.keepAliveTimeout = 60_000
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const gc = (globalThis as { gc?: () => void }).gc!
  process.on('message', (message: { type: string }) => {
    if (message.type === 'heap') {
      for (let i = 0; i < 4; i++) gc()
      const { heapUsed, rss } = process.memoryUsage()
      process.send!({ heapUsed, rss })
    }
  })
  process.send!({ port: (server.address() as AddressInfo).port })
}

// ---------------------------------------------------------------- loader child

function post(agent: Agent, port: number, body: string, sessionId?: string): Promise<{ status: number; sessionId?: string }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: ACCEPT, 'content-length': String(Buffer.byteLength(body)) }
    if (sessionId) {
      headers['mcp-session-id'] = sessionId
      headers['mcp-protocol-version'] = PROTOCOL
    }
    const req = request({ host: '127.0.0.1', port, path: '/mcp', method: 'POST', agent, headers }, res => {
      res.resume()
      res.on('end', () => resolve({ status: res.statusCode ?? 0, sessionId: res.headers['mcp-session-id'] as string | undefined }))
      res.on('error', reject)
    })
    req.on('error', reject)
    req.end(body)
  })
}

const initialize = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: PROTOCOL, capabilities: {}, clientInfo: { name: 'bench', version: '1' } } })
const initialized = JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' })
const call = JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'echo', arguments: { text: 'hello' } } })

async function pool(concurrency: number, work: (worker: number) => Promise<void>) {
  await Promise.all(Array.from({ length: concurrency }, (_, i) => work(i)))
}

async function loaderMain() {
  const agent = new Agent({ keepAlive: true, maxSockets: 10 })
  process.on('message', async (message: { type: string; port: number; count?: number; ids?: string[]; seconds?: number }) => {
    if (message.type === 'create') {
      const ids: string[] = []
      let next = 0
      await pool(10, async () => {
        while (next++ < message.count!) {
          const init = await post(agent, message.port, initialize)
          if (init.status !== 200 || !init.sessionId) throw new Error(`initialize answered ${init.status}`)
          await post(agent, message.port, initialized, init.sessionId)
          ids.push(init.sessionId)
        }
      })
      process.send!({ ids })
    } else if (message.type === 'load') {
      const ids = message.ids!
      const deadline = performance.now() + message.seconds! * 1000
      let done = 0
      let errors = 0
      let cursor = 0
      const start = performance.now()
      await pool(10, async () => {
        while (performance.now() < deadline) {
          const { status } = await post(agent, message.port, call, ids[cursor++ % ids.length])
          if (status === 200) done++
          else errors++
        }
      })
      process.send!({ rps: done / ((performance.now() - start) / 1000), errors })
    }
  })
  process.send!({ ready: true })
}

// ---------------------------------------------------------------- orchestration

function ask<T>(child: ChildProcess, message: object): Promise<T> {
  const reply = once(child, 'message').then(([m]) => m as T)
  child.send(message)
  return reply
}

function spawn(mode: string, variant?: Variant): ChildProcess {
  return fork(fileURLToPath(import.meta.url), [mode, variant ?? ''], { execArgv: ['--expose-gc', '--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
}

async function startServer(variant: Variant, loader: ChildProcess) {
  const server = spawn('server', variant)
  const [{ port }] = (await once(server, 'message')) as [{ port: number }]
  // Warm up (10 sessions, one second of calls), then the baseline heap with those 10 sessions.
  const warm = await ask<{ ids: string[] }>(loader, { type: 'create', port, count: 10 })
  await ask(loader, { type: 'load', port, ids: warm.ids, seconds: 1 })
  const base = await ask<{ heapUsed: number; rss: number }>(server, { type: 'heap' })
  return { variant, server, port, ids: warm.ids, base }
}

type Started = Awaited<ReturnType<typeof startServer>>

/** Alternating load slices on both servers, so machine drift hits both alike; returns per-slice req/s. */
async function slices(loader: ChildProcess, servers: Started[], count: number, seconds: number): Promise<Record<Variant, number[]>> {
  const rps: Record<Variant, number[]> = { map: [], manager: [] }
  for (let i = 0; i < count; i++) {
    const order = i % 2 === 0 ? servers : [...servers].reverse()
    for (const s of order) {
      const result = await ask<{ rps: number; errors: number }>(loader, { type: 'load', port: s.port, ids: s.ids, seconds })
      if (result.errors) throw new Error(`[mcp-sessions] Failed to benchmark ${s.variant}: ${result.errors} requests did not answer 200`)
      rps[s.variant].push(result.rps)
    }
  }
  return rps
}

async function main() {
  if (!existsSync(plainSdk)) {
    console.error('[mcp-sessions] Failed to start the benchmark: .matrix/1.32.2/plain is missing. Run `npm run matrix -- install 1.32.2` first.')
    process.exit(1)
  }
  const sliceSeconds = arg('seconds', 1.5)
  const sliceCount = arg('slices', 7)
  const started = performance.now()
  const loader = spawn('loader')
  await once(loader, 'message')
  const servers: Started[] = []
  try {
    for (const variant of ['map', 'manager'] as const) servers.push(await startServer(variant, loader))
    const grow = async (total: number) => {
      for (const s of servers) {
        const more = await ask<{ ids: string[] }>(loader, { type: 'create', port: s.port, count: total - s.ids.length })
        s.ids.push(...more.ids)
      }
    }
    await grow(1_000)
    const at1k = await slices(loader, servers, sliceCount, sliceSeconds)
    await grow(10_000)
    const heap: Record<Variant, { heap: number; rss: number }> = {} as never
    for (const s of servers) {
      const now = await ask<{ heapUsed: number; rss: number }>(s.server, { type: 'heap' })
      heap[s.variant] = { heap: (now.heapUsed - s.base.heapUsed) / (s.ids.length - 10), rss: (now.rss - s.base.rss) / (s.ids.length - 10) }
    }
    const at10k = await slices(loader, servers, sliceCount, sliceSeconds)

    console.log(`SDK 1.32.2; ${sliceCount} alternating slices of ${sliceSeconds} s per phase; 10 keep-alive connections; tools/call with SSE responses; medians`)
    console.log('| metric | map pattern, unpatched SDK | @mcp-sessions/server, patched SDK | ratio (manager / map) |')
    console.log('|---|---|---|---|')
    const row = (label: string, map: number, manager: number, format: (n: number) => string) =>
      console.log(`| ${label} | ${format(map)} | ${format(manager)} | ${(manager / map).toFixed(2)} |`)
    row('req/s, 1k live sessions', median(at1k.map), median(at1k.manager), fmt)
    row('req/s, 10k live sessions', median(at10k.map), median(at10k.manager), fmt)
    row('heap per idle session (after GC, 10k sessions)', heap.map.heap, heap.manager.heap, kb)
    row('RSS per idle session (10k sessions)', heap.map.rss, heap.manager.rss, kb)
    const pairwise = (r: Record<Variant, number[]>) => median(r.manager.map((m, i) => m / r.map[i]!)).toFixed(2)
    console.log(`\nmedian of slice-by-slice ratios: ${pairwise(at1k)} at 1k, ${pairwise(at10k)} at 10k`)
    console.log(`total ${((performance.now() - started) / 1000).toFixed(0)} s`)
  } finally {
    for (const s of servers) s.server.kill()
    loader.kill()
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!
const fmt = (n: number) => `${(n / 1000).toFixed(2)}k`
const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`

const mode = process.argv[2]
if (mode === 'server') await serverMain(process.argv[3] as Variant)
else if (mode === 'loader') await loaderMain()
else await main()
