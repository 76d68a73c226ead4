/**
 * Benchmark (issue 16): the session manager against the SDK's own pattern, the ceiling and Redis, in ONE run.
 *
 *   npm run matrix -- install 1.32.2     # once: the unpatched SDK in .matrix/1.32.2/plain
 *   npx tsx packages/tools/bench/session-manager.ts [--sessions 10,1000,10000] [--slices 3] [--seconds 5]
 *     [--warmup 3] [--connections 10] [--call echo|stream] [--variants ceiling,map,map-events,floor,manager,redis]
 *     [--candidate path/to/server/dist/index.js[,another]]
 *     [--redis-candidate dir/redis/dist/index.js[,another]] [--redis-cost yes|no] [--redis-idle 65]
 *
 * One server process per variant (lib/bench-server.ts), all alive at once, each holding the same
 * number of live sessions. The load generator is wrk (one thread, `--connections` keep-alive
 * connections, lib/rotate.lua: every request a tools/call on the next session). It is C, so it costs
 * the two cores far less than a Node loader would; the ceiling row shows how far above the others
 * it can go. Each phase (a session count) runs a warm-up, then `--slices` rounds in which every
 * variant gets one slice of `--seconds`, in an order that rotates per round, so drift on a shared
 * machine hits all variants alike; figures are medians of the slices. CPU per request is the
 * server's CPU time (/proc) over the requests served, with the kernel's part of it beside it (an answer's socket
 * write pays for waking the reader); for Redis, redis-server's own CPU is shown beside it. `--candidate` adds the
 * manager from another build (a change to compare in the same run); `--redis-candidate` the same on
 * Redis (a build of both packages, see lib/variants.ts).
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startRedisServer } from '../src/cluster/processes.js'
import { arg } from './lib/args.js'
import { mcpHttp, type McpHttp } from './lib/mcp-http.js'
import { plainSdk, SDK_VERSION } from './lib/paths.js'
import { buildPackages, cpuTimes, loadAverage, startBenchServer, type BenchServer, type Variant } from './lib/processes.js'
import { formatRedisCosts, redisCosts } from './lib/redis-cost.js'
import { pairedCpuRatio, summarize, type Slice, type Summary } from './lib/slices.js'
import { plan } from './lib/variants.js'
import { runWrk, writeIds, type Call } from './lib/wrk.js'

const counts = arg('sessions', '10,1000,10000').split(',').map(Number)
const SLICES = Number(arg('slices', '3'))
const SECONDS = Number(arg('seconds', '5'))
const WARMUP = Number(arg('warmup', '3'))
const CONNECTIONS = Number(arg('connections', '10'))
const CALL = arg('call', 'echo') as Call
const CANDIDATES = arg('candidate', '')
const REDIS_CANDIDATES = arg('redis-candidate', '')
// Longer than the followers' 60 s safety net, so the idle row shows what it costs.
const IDLE_SECONDS = Number(arg('redis-idle', '65'))
const planned = plan(arg('variants', `ceiling,map,map-events,floor,manager${CANDIDATES ? ',candidate' : ''},redis${REDIS_CANDIDATES ? ',redis-candidate' : ''}`), CANDIDATES, REDIS_CANDIDATES)

interface Target {
  variant: Variant
  label: string
  server: BenchServer
  client: McpHttp
  sessions: string[]
  idsFile: string
  heap: Array<{ sessions: number; heapUsed: number; rss: number }>
}

/** One wrk slice against one target, with the CPU its server (and redis-server) used meanwhile. */
async function slice(t: Target, seconds: number, redisPid: number | undefined): Promise<Slice> {
  const pids = t.variant === 'redis' && redisPid ? [t.server.pid, redisPid] : [t.server.pid]
  const before = pids.map(cpuTimes)
  const r = await runWrk({ port: t.server.port, idsFile: t.idsFile, seconds, connections: CONNECTIONS, call: CALL, check: t.variant !== 'ceiling' })
  const after = pids.map(cpuTimes)
  const used = after.map((a, i) => a.userMs + a.systemMs - before[i]!.userMs - before[i]!.systemMs)
  if (r.errors > 0 || r.bad > 0) {
    throw new Error(`[mcp-sessions] Failed to benchmark ${t.label}: ${r.errors} errors and ${r.bad} answers without a result out of ${r.requests}. Check the server's output above.`)
  }
  return { ...r, cpuMs: used[0]!, systemMs: after[0]!.systemMs - before[0]!.systemMs, redisCpuMs: used[1] }
}

/** A variant's figures in one phase; `vsManager`: its CPU per request over the manager's, round by round. */
type Result = Summary & { vsManager?: ReturnType<typeof pairedCpuRatio> }

async function phase(targets: Target[], sessions: number, redisPid: number | undefined): Promise<Map<Target, Result>> {
  for (const t of targets) {
    if (t.variant === 'ceiling') continue
    t.sessions.push(...await t.client.openSessions(sessions - t.sessions.length))
    writeIds(t.idsFile, t.sessions)
    await t.client.callTool(t.sessions.at(-1)!, 'echo', { text: 'check' })
    t.heap.push({ sessions, ...await t.server.ask<{ heapUsed: number; rss: number }>({ type: 'heap' }) })
  }
  for (const t of targets) await slice(t, WARMUP, redisPid)
  const slices = new Map<Target, Slice[]>(targets.map(t => [t, []]))
  for (let round = 0; round < SLICES; round++) {
    const order = targets.map((_, i) => targets[(i + round) % targets.length]!)
    for (const t of order) slices.get(t)!.push(await slice(t, SECONDS, redisPid))
  }
  const manager = [...slices].find(([t]) => t.variant === 'manager')?.[1]
  return new Map([...slices].map(([t, s]) => [t, { ...summarize(s), vsManager: manager && pairedCpuRatio(s, manager) }]))
}

/** The figures of the first target of `variant`. */
const of = (results: Map<Target, Result>, variant: Variant) => [...results].find(([t]) => t.variant === variant)?.[1]

function printPhase(sessions: number, results: Map<Target, Result>): void {
  const map = of(results, 'map')
  const ratio = (x: number, base: number | undefined) => base ? `${(x / base).toFixed(2)}x` : '-'
  console.log(`\n### ${sessions.toLocaleString('en-US')} live sessions (load average ${loadAverage()})\n`)
  console.log('| server | req/s | vs map | p50 ms | p99 ms | CPU µs/req | of it, kernel | vs map | vs manager (range of rounds) | redis-server CPU µs/req |')
  console.log('|---|---|---|---|---|---|---|---|---|---|')
  for (const [t, s] of results) {
    console.log(`| ${t.label} | ${Math.round(s.rps).toLocaleString('en-US')} | ${ratio(s.rps, map?.rps)} | ${s.p50Ms.toFixed(2)} | ${s.p99Ms.toFixed(2)} | ${s.cpuUs.toFixed(0)} | ${s.systemUs.toFixed(0)} | ${ratio(s.cpuUs, map?.cpuUs)} | ${s.vsManager ? `${s.vsManager.median.toFixed(2)}x (${s.vsManager.min.toFixed(2)}-${s.vsManager.max.toFixed(2)})` : '-'} | ${s.redisCpuUs === undefined ? '' : s.redisCpuUs.toFixed(0)} |`)
  }
}

function printSummary(all: Array<{ sessions: number; results: Map<Target, Result> }>, targets: Target[]): void {
  console.log('\n### Ratios (same run)\n')
  console.log('| live sessions | manager / map req/s | manager / map CPU per req | p99 manager / map | manager / floor CPU per req | Redis / memory node CPU per req | same, + redis-server CPU | ceiling / map req/s |')
  console.log('|---|---|---|---|---|---|---|---|')
  const r = (a: number | undefined, b: number | undefined) => (a !== undefined && b ? `${(a / b).toFixed(2)}x` : '-')
  for (const { sessions, results } of all) {
    const [map, manager, redis, ceiling, floor] = (['map', 'manager', 'redis', 'ceiling', 'floor'] as const).map(v => of(results, v))
    const withRedis = redis?.redisCpuUs === undefined ? undefined : redis.cpuUs + redis.redisCpuUs
    console.log(`| ${sessions.toLocaleString('en-US')} | ${r(manager?.rps, map?.rps)} | ${r(manager?.cpuUs, map?.cpuUs)} | ${r(manager?.p99Ms, map?.p99Ms)} | ${r(manager?.cpuUs, floor?.cpuUs)} | ${r(redis?.cpuUs, manager?.cpuUs)} | ${r(withRedis, manager?.cpuUs)} | ${r(ceiling?.rps, map?.rps)} |`)
  }
  const grown = targets.filter(t => t.heap.length > 1)
  if (grown.length === 0) return
  console.log('\n| server | heap per idle session (after GC) | RSS per idle session |\n|---|---|---|')
  for (const t of grown) {
    const first = t.heap[0]!
    const last = t.heap.at(-1)!
    const per = (bytes: number) => `${(bytes / (last.sessions - first.sessions) / 1024).toFixed(1)} KB`
    console.log(`| ${t.label} | ${per(last.heapUsed - first.heapUsed)} | ${per(last.rss - first.rss)} |`)
  }
}

async function main(): Promise<void> {
  if (!existsSync(plainSdk)) throw new Error(`[mcp-sessions] Failed to start the benchmark: .matrix/${SDK_VERSION}/plain is missing. Run \`npm run matrix -- install ${SDK_VERSION}\` first.`)
  buildPackages()
  const dir = mkdtempSync(join(tmpdir(), 'mcps-bench-'))
  const redis = planned.some(p => p.variant === 'redis') ? await startRedisServer() : undefined
  const targets: Target[] = []
  try {
    for (const [i, run] of planned.entries()) {
      const server = await startBenchServer(run.variant, { env: { ...run.env, REDIS_URL: redis?.url ?? '' } })
      targets.push({ variant: run.variant, label: run.label, server, client: mcpHttp(server.port), sessions: [], idsFile: join(dir, `${i}.ids`), heap: [] })
      writeIds(targets.at(-1)!.idsFile, [])
    }
    console.log(`## Session manager benchmark: SDK ${SDK_VERSION}, node ${process.version}, wrk -t1 -c${CONNECTIONS}, tools/call ${CALL === 'echo' ? 'echo' : 'slow (3 related messages + result)'}, SSE answers`)
    console.log(`${SLICES} rotating slices of ${SECONDS} s per variant and phase after a ${WARMUP} s warm-up; medians of the slices. The manager runs with its defaults except maxSessionsPerPrincipal (all sessions come from one address). Load average at start: ${loadAverage()}`)
    const all: Array<{ sessions: number; results: Map<Target, Result> }> = []
    for (const sessions of counts) {
      const results = await phase(targets, sessions, redis?.child.pid)
      printPhase(sessions, results)
      all.push({ sessions, results })
    }
    printSummary(all, targets)
    const onRedis = targets.find(t => t.variant === 'redis')
    if (onRedis && redis && arg('redis-cost', 'yes') !== 'no') {
      console.log('\n### Redis commands per operation (MONITOR on the private redis-server)\n')
      console.log(formatRedisCosts(await redisCosts(onRedis.client, redis.port, { ops: 20, idleSeconds: IDLE_SECONDS, streams: 5 })))
    }
    console.log(`\nLoad average at the end: ${loadAverage()}`)
  } finally {
    for (const t of targets) {
      t.client.close()
      await t.server.stop()
    }
    await redis?.stop()
    rmSync(dir, { recursive: true, force: true })
  }
}

await main()
