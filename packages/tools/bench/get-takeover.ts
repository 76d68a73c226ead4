/**
 * What a second GET stream of one session costs and delivers, behind the
 * fault suite's haproxy (`timeout server` 3 s):
 *
 *   npx tsx packages/tools/bench/get-takeover.ts [--mode readers|held] [--store memory|redis] [--flavour patched|plain] [--seconds 30]
 *
 * Client A (SDK 1.32.2 from the matrix cell) opens a session and its GET
 * stream; client B, a second process of the same app that reuses the
 * persisted session id, then opens the GET stream without Last-Event-ID.
 * `--mode readers`: both keep reading. `--mode held`: A's connection stays
 * open on the server but A never reads it again (a half-open connection, as
 * after a laptop sleeps or a NAT forgets it). A calls `tick` every 300 ms;
 * prints the ticks each reader received (unique, twice), the ticks neither
 * received, and the session's GET requests by status.
 */
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { startHaproxy } from '../src/cluster/haproxy.js'
import { startNode, startRedisServer } from '../src/cluster/processes.js'
import { sdkDirOf } from '../src/faults/client-process.js'
import { RECONNECTION } from '../src/faults/scenario.js'

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`)
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback
}
const mode = arg('mode', 'readers') === 'held' ? 'held' : 'readers'
const onRedis = arg('store', 'memory') === 'redis'
const flavour = arg('flavour', 'patched') === 'plain' ? 'plain' : 'patched'
const seconds = Number(arg('seconds', '30'))

const sdkDir = sdkDirOf('1.32.2', flavour)
const load = (sub: string) => import(pathToFileURL(join(sdkDir, 'dist', 'esm', sub)).href)
const [{ Client }, { StreamableHTTPClientTransport }, { LoggingMessageNotificationSchema }] = await Promise.all([load('client/index.js'), load('client/streamableHttp.js'), load('types.js')])

const cleanups: Array<() => Promise<unknown>> = []
try {
  const redis = onRedis ? await startRedisServer() : undefined
  if (redis) cleanups.push(redis.stop)
  const env: Record<string, string> = redis ? { REDIS_URL: redis.url } : { STORE: 'memory' }
  const nodes = await Promise.all(Array.from({ length: redis ? 3 : 1 }, (_, i) => startNode({ ...env, NODE_NAME: `node-${i}`, PORT: '0', HTTP_KEEP_ALIVE_MS: '120000' })))
  for (const node of nodes) cleanups.push(() => node.kill())
  const proxy = await startHaproxy(nodes.map((n, i) => ({ name: `node-${i}`, port: n.port })), { timeoutServerMs: 3_000 })
  cleanups.push(proxy.stop)
  for (let i = 0; i < nodes.length; i++) await proxy.waitForServer(`node-${i}`, 'UP')
  const url = new URL(proxy.url)

  const received = { A: new Map<number, number>(), B: new Map<number, number>() }
  const errors: Record<string, number> = {}
  const reader = (name: 'A' | 'B') => {
    const client = new Client({ name, version: '1.0.0' }, { capabilities: {} })
    client.onerror = (error: Error) => void (errors[`${name}: ${error.message.slice(0, 70)}`] = (errors[`${name}: ${error.message.slice(0, 70)}`] ?? 0) + 1)
    client.setNotificationHandler(LoggingMessageNotificationSchema, (n: { params: { data?: { s?: number } } }) => {
      const s = n.params.data?.s
      if (typeof s === 'number') received[name].set(s, (received[name].get(s) ?? 0) + 1)
    })
    cleanups.push(() => client.close())
    return client
  }
  // `held`: the server keeps A's GET connection; A's transport gets a body that never yields.
  const held = async (input: string | URL, init?: RequestInit) => {
    const response = await fetch(input, init)
    if ((init?.method ?? 'GET') !== 'GET') return response
    return new Response(new ReadableStream({ start() {} }), { status: response.status, headers: response.headers })
  }
  const a = reader('A')
  const ta = new StreamableHTTPClientTransport(url, { reconnectionOptions: RECONNECTION, ...(mode === 'held' ? { fetch: held } : {}) })
  await a.connect(ta)
  await new Promise(resolve => setTimeout(resolve, 1_000))
  const b = reader('B')
  const tb = new StreamableHTTPClientTransport(url, { reconnectionOptions: RECONNECTION, sessionId: ta.sessionId })
  await b.connect(tb)
  // connect() skips initialize for a known session id, so the GET stream is opened here, as the SDK opens it first.
  await tb.resumeStream('').catch(() => {})
  let ticks = 0
  for (const end = Date.now() + seconds * 1_000; Date.now() < end;) {
    await a.callTool({ name: 'tick', arguments: { c: 'bench', s: ++ticks } }).catch(() => {})
    await new Promise(resolve => setTimeout(resolve, 300))
  }
  await new Promise(resolve => setTimeout(resolve, 3_000))
  const gets = proxy.log.filter(e => e.method === 'GET' && e.sessionId === ta.sessionId)
  const tally = (m: Map<number, number>) => `${m.size} unique, ${[...m.values()].filter(v => v > 1).length} twice`
  const either = new Set([...received.A.keys(), ...received.B.keys()])
  const statuses = Object.entries(gets.reduce<Record<string, number>>((m, e) => ({ ...m, [e.status]: (m[e.status] ?? 0) + 1 }), {})).map(([s, n]) => `${n}x ${s}`).join(', ')
  console.log(`mode ${mode}, ${flavour} SDK 1.32.2, ${redis ? 'three nodes on Redis' : 'one node in memory'}, ${seconds} s: ${ticks} ticks; A ${tally(received.A)}; B ${tally(received.B)}; received by neither ${ticks - either.size}; GET requests ${gets.length} (${statuses})`)
  if (Object.keys(errors).length) console.log(`client errors: ${JSON.stringify(errors)}`)
} finally {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {})
}
