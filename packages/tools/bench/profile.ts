/**
 * Profile (issue 16): where a benchmark server's time goes, from `node --cpu-prof`.
 *
 *   npx tsx packages/tools/bench/profile.ts [--variant manager] [--sessions 10,10000] [--seconds 10]
 *     [--warmup 3] [--connections 10] [--call echo|stream] [--top 25] [--interval 1000] [--candidate path/to/server/dist/index.js] [--keep dir]
 *
 * For each session count: a fresh server process of `--variant` (see lib/bench-server.ts) under
 * `node --cpu-prof`, the sessions opened, a wrk warm-up, then one wrk slice between two marks taken
 * on the server's own monotonic clock. Only the samples between the marks are summarized: self time
 * by module and by function, inclusive time by function (all, and the repo's own). `--keep` keeps
 * the .cpuprofile files (they open in Chrome DevTools or speedscope for a flame graph). `--interval`: V8's
 * sampling interval in µs (node's default 1000); 100 gives several times the samples, for functions of a µs or two.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { startRedisServer } from '../src/cluster/processes.js'
import { arg } from './lib/args.js'
import { formatProfile, summarizeProfile, type CpuProfile } from './lib/cpu-profile.js'
import { mcpHttp } from './lib/mcp-http.js'
import { buildPackages, cpuMs, loadAverage, startBenchServer, syscalls, type Variant } from './lib/processes.js'
import { runWrk, writeIds, type Call } from './lib/wrk.js'

const VARIANT = arg('variant', 'manager') as Variant
const counts = arg('sessions', '10,10000').split(',').map(Number)
const SECONDS = Number(arg('seconds', '10'))
const WARMUP = Number(arg('warmup', '3'))
const CONNECTIONS = Number(arg('connections', '10'))
const CALL = arg('call', 'echo') as Call
const TOP = Number(arg('top', '25'))
const KEEP = arg('keep', '')
const INTERVAL = arg('interval', '')

async function profileAt(sessions: number, dir: string, redisUrl: string): Promise<void> {
  const profileDir = join(dir, `${VARIANT}-${sessions}`)
  mkdirSync(profileDir, { recursive: true })
  const server = await startBenchServer(VARIANT, {
    env: { REDIS_URL: redisUrl, MCPS_BENCH_MANAGER: arg('candidate', '') && resolve(arg('candidate', '')) },
    nodeArgs: ['--cpu-prof', '--cpu-prof-dir', profileDir, ...(INTERVAL ? ['--cpu-prof-interval', INTERVAL] : [])]
  })
  try {
    const client = mcpHttp(server.port)
    const ids = VARIANT === 'ceiling' ? [] : await client.openSessions(sessions)
    const idsFile = join(dir, 'ids')
    writeIds(idsFile, ids)
    const load = (seconds: number) => runWrk({ port: server.port, idsFile, seconds, connections: CONNECTIONS, call: CALL, check: VARIANT !== 'ceiling' })
    await load(WARMUP)
    const from = await server.ask<number>({ type: 'mark' })
    const before = { ...syscalls(server.pid), cpuMs: cpuMs(server.pid) }
    const result = await load(SECONDS)
    const after = { ...syscalls(server.pid), cpuMs: cpuMs(server.pid) }
    const to = await server.ask<number>({ type: 'mark' })
    client.close()
    await server.exit()
    // CPU.<date>.<time>.<pid>.<thread>.<n>.cpuprofile: thread 0 is the main thread (tsx's loader hooks run in another).
    const file = readdirSync(profileDir).find(name => name.includes(`.${server.pid}.0.`) && name.endsWith('.cpuprofile'))
    if (!file) throw new Error(`[mcp-sessions] Failed to profile ${VARIANT}: no .cpuprofile in ${profileDir}`)
    const summary = summarizeProfile(JSON.parse(readFileSync(join(profileDir, file), 'utf8')) as CpuProfile, { from, to })
    console.log(`\n### ${VARIANT}, ${sessions.toLocaleString('en-US')} live sessions: ${Math.round(result.rps).toLocaleString('en-US')} req/s under the profiler, p50 ${result.p50Ms.toFixed(2)} ms, p99 ${result.p99Ms.toFixed(2)} ms, errors ${result.errors + result.bad}, ${((after.writes - before.writes) / result.requests).toFixed(2)} write and ${((after.reads - before.reads) / result.requests).toFixed(2)} read syscalls per request (load average ${loadAverage()})\n`)
    console.log(formatProfile(summary, TOP, ((after.cpuMs - before.cpuMs) * 1000) / result.requests))
    if (KEEP) console.log(`\nprofile: ${join(profileDir, file)}`)
  } finally {
    await server.stop()
  }
}

buildPackages()
const dir = KEEP || mkdtempSync(join(tmpdir(), 'mcps-profile-'))
const redis = VARIANT === 'redis' ? await startRedisServer() : undefined
try {
  console.log(`## CPU profile of ${VARIANT}: node ${process.version}, wrk -t1 -c${CONNECTIONS}, tools/call ${CALL}, one ${SECONDS} s slice after a ${WARMUP} s warm-up`)
  for (const sessions of counts) await profileAt(sessions, dir, redis?.url ?? '')
} finally {
  await redis?.stop()
  if (!KEEP) rmSync(dir, { recursive: true, force: true })
}
