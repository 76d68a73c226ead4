/**
 * Benchmark for fix 2559-json-response-leak: what JSON-response mode
 * (`enableJsonResponse: true`) keeps on the heap per served request, and
 * whether throughput decays as a session ages. The plain and the patched
 * matrix cell of one SDK version run side by side in one run, in alternating
 * rounds, so drift hits both alike; read the ratios.
 *
 *   npm run matrix -- install 1.32.2     # once: provides .matrix/1.32.2/{plain,patched}
 *   npx tsx packages/tools/bench/json-response-leak.ts [--version 1.32.2] [--rounds 6] [--requests 6000] [--sessions 10]
 *
 * Workload: the SDK README's sessions-map server on node:http, JSON-response
 * mode, one `echo` tool; each cell in its own `--expose-gc` process. This
 * process is the loopback client: `--sessions` sessions are initialized, then
 * one keep-alive connection per session sends tools/call back to back.
 * A round is `--requests` requests; after the warm-up and after every round
 * the server forces a full GC and reports `heapUsed`, so
 * - retained bytes/request = (heap after this round - heap after the previous
 *   one) / requests. Consecutive post-round snapshots are compared, not a
 *   snapshot taken just before the round: that one comes after the other
 *   cell's round, when a few MB of transient heap (compiled code and the
 *   like, not per-request state) have been released, and would read as
 *   several hundred bytes per request that never accumulate.
 * - req/s = requests / the round's wall time (GC outside the timed window).
 */
import { fork, type ChildProcess } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { once } from 'node:events'
import { existsSync } from 'node:fs'
import { Agent, createServer, request, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..')
const PROTOCOL = '2025-06-18'

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`)
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback
}

// ------------------------------------------------------------ server process

type Command = { id: number; type: 'heap' | 'entries' }

async function serve(cell: string): Promise<void> {
  const dist = join(cell, 'node_modules', '@modelcontextprotocol', 'sdk', 'dist', 'esm')
  const load = (path: string) => import(pathToFileURL(join(dist, path)).href)
  const [{ McpServer }, { StreamableHTTPServerTransport }] = await Promise.all([load('server/mcp.js'), load('server/streamableHttp.js')])
  const sessions = new Map<string, any>()

  const handler = async (req: IncomingMessage, res: ServerResponse) => {
    const sid = req.headers['mcp-session-id']
    let transport = typeof sid === 'string' ? sessions.get(sid) : undefined
    if (!transport && sid === undefined) {
      const t = new StreamableHTTPServerTransport({
        sessionIdGenerator: randomUUID,
        enableJsonResponse: true,
        onsessioninitialized: (id: string) => void sessions.set(id, t)
      })
      t.onclose = () => {
        if (t.sessionId) sessions.delete(t.sessionId)
      }
      const server = new McpServer({ name: 'json-leak-bench', version: '1.0.0' })
      server.registerTool('echo', { description: 'answers at once' }, async () => ({ content: [{ type: 'text', text: 'echo' }] }))
      await server.connect(t)
      transport = t
    }
    if (!transport) {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"jsonrpc":"2.0","error":{"code":-32001,"message":"Session not found"},"id":null}')
      return
    }
    await transport.handleRequest(req, res)
  }

  const gc = (globalThis as { gc?: () => void }).gc
  if (!gc) throw new Error('[mcp-sessions] Failed to start the benchmark server: run it with --expose-gc.')
  process.on('message', (command: Command) => {
    if (command.type === 'heap') {
      gc()
      gc()
      process.send!({ id: command.id, value: process.memoryUsage().heapUsed })
    } else {
      let entries = 0
      for (const t of sessions.values()) entries += (t._webStandardTransport ?? t)._streamMapping.size
      process.send!({ id: command.id, value: entries })
    }
  })
  process.on('disconnect', () => process.exit(0))

  const server = createServer(handler)
  server.keepAliveTimeout = 60_000
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  process.send!({ port: (server.address() as AddressInfo).port })
}

// ------------------------------------------------------------ client (this process)

interface Target {
  variant: 'plain' | 'patched'
  child: ChildProcess
  port: number
  agent: Agent
  sessions: string[]
  nextId: number
}

function post(t: Target, body: string, sessionId?: string): Promise<{ status: number; sessionId?: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: t.port,
        path: '/mcp',
        method: 'POST',
        agent: t.agent,
        headers: {
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          'content-length': Buffer.byteLength(body),
          ...(sessionId ? { 'mcp-session-id': sessionId, 'mcp-protocol-version': PROTOCOL } : {})
        }
      },
      res => {
        res.resume()
        res.on('end', () => resolve({ status: res.statusCode ?? 0, sessionId: res.headers['mcp-session-id'] as string | undefined }))
        res.on('error', reject)
      }
    )
    req.on('error', reject)
    req.end(body)
  })
}

function ask(t: Target, type: Command['type']): Promise<number> {
  const id = t.nextId++
  return new Promise(resolve => {
    const onMessage = (m: { id?: number; value: number }) => {
      if (m.id !== id) return
      t.child.off('message', onMessage)
      resolve(m.value)
    }
    t.child.on('message', onMessage)
    t.child.send({ id, type } satisfies Command)
  })
}

async function start(variant: Target['variant'], cell: string, sessions: number): Promise<Target> {
  const child = fork(fileURLToPath(import.meta.url), ['--serve', cell], { execArgv: [...process.execArgv, '--expose-gc'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  const [{ port }] = (await Promise.race([once(child, 'message'), once(child, 'exit').then(() => Promise.reject(new Error(`[mcp-sessions] Failed to start the ${variant} server for ${cell}: it exited.`)))])) as [{ port: number }]
  const t: Target = { variant, child, port, agent: new Agent({ keepAlive: true, maxSockets: sessions }), sessions: [], nextId: 1 }
  for (let i = 0; i < sessions; i++) {
    const init = await post(t, JSON.stringify({ jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: PROTOCOL, capabilities: {}, clientInfo: { name: 'bench', version: '1.0.0' } } }))
    if (init.status !== 200 || !init.sessionId) throw new Error(`[mcp-sessions] Failed to initialize a session on the ${variant} server: HTTP ${init.status}.`)
    await post(t, JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }), init.sessionId)
    t.sessions.push(init.sessionId)
  }
  return t
}

/** Sends `total` tools/call, one connection per session, back to back; returns the wall time in ms. */
async function load(t: Target, total: number): Promise<number> {
  let sent = 0
  let failed = 0
  const begin = performance.now()
  await Promise.all(
    t.sessions.map(async sessionId => {
      while (sent < total) {
        const id = ++sent
        const res = await post(t, JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'echo', arguments: {} } }), sessionId)
        if (res.status !== 200) failed++
      }
    })
  )
  const ms = performance.now() - begin
  if (failed) throw new Error(`[mcp-sessions] ${failed} of ${total} requests to the ${t.variant} server failed; the figures would be meaningless.`)
  return ms
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b)
  const mid = s.length >> 1
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2
}
const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })

async function main(): Promise<void> {
  const version = arg('version', '1.32.2')
  const rounds = Number(arg('rounds', '6'))
  const requests = Number(arg('requests', '6000'))
  const sessions = Number(arg('sessions', '10'))
  const cells = { plain: join(root, '.matrix', version, 'plain'), patched: join(root, '.matrix', version, 'patched') }
  for (const dir of Object.values(cells)) {
    if (!existsSync(join(dir, '.mcps-stamp'))) throw new Error(`[mcp-sessions] Failed to find the matrix cell ${dir}. Run \`npm run matrix -- install ${version}\` first.`)
  }

  const targets = [await start('plain', cells.plain, sessions), await start('patched', cells.patched, sessions)]
  const results = new Map(targets.map(t => [t.variant, { rps: [] as number[], bytes: [] as number[], heap: [] as number[] }]))
  const warmup = Math.min(2_000, requests)
  try {
    for (const t of targets) {
      await load(t, warmup) // JIT, sockets
      results.get(t.variant)!.heap.push(await ask(t, 'heap'))
    }
    console.log(`JSON-response mode, SDK ${version}, ${sessions} sessions, ${rounds} rounds x ${fmt(requests)} requests per cell, Node ${process.version}`)
    console.log('round  cell      req/s    retained B/req  heap after (MB)')
    for (let round = 1; round <= rounds; round++) {
      // Alternate which cell goes first, so neither always runs on a warmer machine.
      for (const t of round % 2 ? targets : [...targets].reverse()) {
        const r = results.get(t.variant)!
        const ms = await load(t, requests)
        const after = await ask(t, 'heap')
        const rps = (requests * 1000) / ms
        const bytes = (after - r.heap.at(-1)!) / requests
        r.rps.push(rps)
        r.bytes.push(bytes)
        r.heap.push(after)
        console.log(`${String(round).padStart(5)}  ${t.variant.padEnd(8)} ${fmt(rps).padStart(7)}  ${fmt(bytes, 1).padStart(14)}  ${fmt(after / 2 ** 20, 1).padStart(15)}`)
      }
    }
    const entries = Object.fromEntries(await Promise.all(targets.map(async t => [t.variant, await ask(t, 'entries')] as const)))
    const plain = results.get('plain')!
    const patched = results.get('patched')!
    const overall = (r: { heap: number[] }) => (r.heap.at(-1)! - r.heap[0]!) / (rounds * requests)
    const firstLast = (rps: number[]) => {
      const k = Math.max(1, Math.floor(rps.length / 3))
      return median(rps.slice(-k)) / median(rps.slice(0, k))
    }
    console.log('\nsummary')
    console.log(`  retained bytes/request, median of rounds   plain ${fmt(median(plain.bytes), 1)}   patched ${fmt(median(patched.bytes), 1)}`)
    console.log(`  retained bytes/request, whole run          plain ${fmt(overall(plain), 1)}   patched ${fmt(overall(patched), 1)}`)
    console.log(`  req/s, median of rounds                    plain ${fmt(median(plain.rps))}   patched ${fmt(median(patched.rps))}   ratio patched/plain ${fmt(median(patched.rps) / median(plain.rps), 2)}`)
    console.log(`  req/s, last third / first third of rounds  plain ${fmt(firstLast(plain.rps), 2)}   patched ${fmt(firstLast(patched.rps), 2)}`)
    console.log(`  stream entries left                        plain ${fmt(entries.plain!)}   patched ${fmt(entries.patched!)}   (after ${fmt(warmup + rounds * requests)} requests per cell)`)
  } finally {
    for (const t of targets) {
      t.agent.destroy()
      t.child.disconnect()
    }
  }
}

if (process.argv[2] === '--serve') await serve(process.argv[3]!)
else await main()
