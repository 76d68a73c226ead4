/**
 * Benchmark for multi-node on Redis (issue 5). One run, three figures:
 *
 *   npx tsx packages/tools/bench/cluster.ts [--sessions 300] [--seconds 5] [--rounds 3] [--concurrency 32] [--idle 10000] [--cache 1000]
 *
 * 1. Hydrate latency on a cold node: `--sessions` sessions are created on
 *    node A; node B has never seen them. Each session's first tools/call on B
 *    (store read + hydrate + call) is timed, then a second call on B (warm).
 *    p50/p99 of both, and the cold/warm ratio.
 * 2. Throughput: the same workload (tools/call echo on 50 sessions,
 *    `--concurrency` keep-alive requests in flight, each request to the next
 *    node, no stickiness) against 3 nodes on Redis and against 1 node with the
 *    in-memory store, in alternating rounds of `--seconds`; req/s medians and
 *    their ratio. Everything (client, nodes, redis-server) shares this machine.
 *    Then the Redis commands one echo call costs, counted with MONITOR (the
 *    calls rotate over the 3 nodes, the session already live on each).
 * 3. Memory: one node with `maxLocalSessions: --cache` and one unbounded node
 *    each get `--idle` idle sessions (initialize + initialized), then RSS and heap
 *    after a forced GC.
 */
import { monitorRedis } from '../../../tests/helpers/redis-monitor.js'
import { startNode, startRedisServer } from '../src/cluster/processes.js'
import { arg } from './lib/args.js'
import { mcpHttp, type McpHttp } from './lib/mcp-http.js'
import { formatRedisCosts, tally } from './lib/redis-cost.js'

const SESSIONS = Number(arg('sessions', '300'))
const SECONDS = Number(arg('seconds', '5'))
const ROUNDS = Number(arg('rounds', '3'))
const CONCURRENCY = Number(arg('concurrency', '32'))
const IDLE = Number(arg('idle', '10000'))
const CACHE = Number(arg('cache', '1000'))

const clients = new Map<number, McpHttp>()
const client = (port: number) => {
  let c = clients.get(port)
  if (!c) clients.set(port, (c = mcpHttp(port, { maxSockets: CONCURRENCY })))
  return c
}
const openSession = (port: number) => client(port).openSession()
const echo = async (port: number, sessionId: string) => void await client(port).callTool(sessionId, 'echo', { text: 'x' })

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const ms = (x: number) => `${x.toFixed(2)} ms`
const mb = (x: number) => `${(x / 1024 / 1024).toFixed(1)} MB`

async function throughput(ports: number[], sessions: string[], seconds: number): Promise<number> {
  const end = performance.now() + seconds * 1000
  let done = 0
  let turn = 0
  const worker = async (w: number) => {
    for (let i = w; performance.now() < end; i += CONCURRENCY) {
      await echo(ports[turn++ % ports.length]!, sessions[i % sessions.length]!)
      done++
    }
  }
  const started = performance.now()
  await Promise.all(Array.from({ length: CONCURRENCY }, (_, w) => worker(w)))
  return done / ((performance.now() - started) / 1000)
}

const redis = await startRedisServer()
const started: Array<{ kill(signal?: NodeJS.Signals): Promise<void> }> = []
try {
  // Every session comes from this one address: the per-caller quota (100 by default) would refuse the rest.
  const env = (name: string, extra: Record<string, string> = {}) => ({ REDIS_URL: redis.url, NODE_NAME: name, PORT: '0', MAX_SESSIONS_PER_PRINCIPAL: '1000000', ...extra })
  const [a, b, c, memory] = await Promise.all([
    startNode(env('a')), startNode(env('b')), startNode(env('c')), startNode(env('memory', { STORE: 'memory' }))
  ])
  started.push(a!, b!, c!, memory!)
  process.stdout.write(`cluster bench: node ${process.version}, ${SESSIONS} sessions for hydrate, ${ROUNDS}x${SECONDS}s rounds at concurrency ${CONCURRENCY}, ${IDLE} idle sessions\n\n`)

  // 1. Hydrate latency on a cold node.
  const ids: string[] = []
  for (let i = 0; i < SESSIONS; i++) ids.push(await openSession(a!.port))
  for (let i = 0; i < 20; i++) await echo(b!.port, await openSession(b!.port)) // warm up B's code paths, not these sessions
  const cold: number[] = []
  const warm: number[] = []
  for (const id of ids) {
    let t = performance.now()
    await echo(b!.port, id)
    cold.push(performance.now() - t)
    t = performance.now()
    await echo(b!.port, id)
    warm.push(performance.now() - t)
  }
  cold.sort((x, y) => x - y)
  warm.sort((x, y) => x - y)
  process.stdout.write(`hydrate on a cold node (first call of a session created elsewhere), ${SESSIONS} sessions:\n`)
  process.stdout.write(`  cold first call  p50 ${ms(pct(cold, 50))}  p99 ${ms(pct(cold, 99))}\n`)
  process.stdout.write(`  warm next call   p50 ${ms(pct(warm, 50))}  p99 ${ms(pct(warm, 99))}\n`)
  process.stdout.write(`  cold/warm p50 ${(pct(cold, 50) / pct(warm, 50)).toFixed(2)}x\n\n`)

  // 2. Throughput, alternating rounds.
  const clusterPorts = [a!.port, b!.port, c!.port]
  const clusterSessions: string[] = []
  const memorySessions: string[] = []
  for (let i = 0; i < 50; i++) {
    clusterSessions.push(await openSession(clusterPorts[i % 3]!))
    memorySessions.push(await openSession(memory!.port))
  }
  await throughput(clusterPorts, clusterSessions, 1)
  await throughput([memory!.port], memorySessions, 1)
  const redisRates: number[] = []
  const memoryRates: number[] = []
  for (let round = 0; round < ROUNDS; round++) {
    redisRates.push(await throughput(clusterPorts, clusterSessions, SECONDS))
    memoryRates.push(await throughput([memory!.port], memorySessions, SECONDS))
    process.stdout.write(`  round ${round + 1}: 3 nodes on Redis ${redisRates.at(-1)!.toFixed(0)} req/s, 1 node in memory ${memoryRates.at(-1)!.toFixed(0)} req/s\n`)
  }
  process.stdout.write(`throughput (tools/call, per-request round-robin, medians of ${ROUNDS}):\n`)
  process.stdout.write(`  3 nodes on Redis ${median(redisRates).toFixed(0)} req/s, 1 node in memory ${median(memoryRates).toFixed(0)} req/s, ratio ${(median(redisRates) / median(memoryRates)).toFixed(2)}x\n\n`)

  // Commands per echo call: the session is live on every node (a first call hydrates), then calls rotate over them.
  const counted = clusterSessions[0]!
  for (const port of clusterPorts) await echo(port, counted)
  const monitor = await monitorRedis(redis.port)
  const calls = 30
  try {
    const seen = await monitor.window(async () => {
      for (let i = 0; i < calls; i++) await echo(clusterPorts[i % 3]!, counted)
    })
    process.stdout.write(`Redis commands per echo tools/call, 3 nodes in turn (MONITOR, ${calls} calls):\n\n${formatRedisCosts([tally('echo tools/call', calls, seen)])}\n\n`)
  } finally {
    monitor.close()
  }
  await Promise.all([a!.kill(), b!.kill(), c!.kill(), memory!.kill()])

  // 3. Memory with 10k idle sessions.
  const [bounded, unbounded] = await Promise.all([
    startNode(env('bounded', { MAX_LOCAL_SESSIONS: String(CACHE) }), 15_000, ['--expose-gc']),
    startNode(env('unbounded'), 15_000, ['--expose-gc'])
  ])
  started.push(bounded!, unbounded!)
  const stats = async (port: number) => (await (await fetch(`http://127.0.0.1:${port}/stats?gc=1`)).json()) as { rss: number; heapUsed: number; local: number }
  const before = { bounded: await stats(bounded!.port), unbounded: await stats(unbounded!.port) }
  for (const node of [bounded!, unbounded!]) {
    const queue = Array.from({ length: IDLE }, (_, i) => i)
    await Promise.all(Array.from({ length: 16 }, async () => {
      while (queue.pop() !== undefined) await openSession(node.port)
    }))
  }
  const after = { bounded: await stats(bounded!.port), unbounded: await stats(unbounded!.port) }
  process.stdout.write(`memory of a node after ${IDLE} idle sessions (initialize + initialized), after GC:\n`)
  for (const name of ['bounded', 'unbounded'] as const) {
    const label = name === 'bounded' ? `maxLocalSessions ${CACHE}` : 'unbounded       '
    process.stdout.write(`  ${label}: ${after[name].local} local, rss ${mb(after[name].rss)} (+${mb(after[name].rss - before[name].rss)}), heap ${mb(after[name].heapUsed)} (+${mb(after[name].heapUsed - before[name].heapUsed)})\n`)
  }
  process.stdout.write(`  heap growth bounded/unbounded ${((after.bounded.heapUsed - before.bounded.heapUsed) / (after.unbounded.heapUsed - before.unbounded.heapUsed)).toFixed(2)}x\n`)
} finally {
  for (const node of started) await node.kill().catch(() => {})
  await redis.stop()
  for (const c of clients.values()) c.close()
}
