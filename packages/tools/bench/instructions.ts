/**
 * Instructions per request (issue 16): a cost that other work on the machine does not move.
 *
 *   npx tsx packages/tools/bench/instructions.ts [--variants map,manager] [--candidate path/to/dist/index.js[,another]]
 *     [--redis-candidate dir/redis/dist/index.js[,another]]
 *     [--sessions 10] [--warmup 1000] [--requests 5000] [--call echo|stream]
 *
 * Timings on a shared 2-core machine move by 20% and more from one slice to the next. This runs
 * each server (lib/bench-server.ts, `node --single-threaded`) under `valgrind --tool=callgrind`
 * with instrumentation off while it starts, opens `--sessions` sessions and answers `--warmup`
 * calls, then counts the user-space instructions of `--requests` calls and divides. Run a build
 * against itself (`--candidate packages/server/dist/index.js`) to see the noise left: random
 * session and stream ids, JIT and GC events inside the window (three such runs of 3,000 requests
 * came within 7% of each other, where timings moved 20%). The kernel's share (socket writes) is not counted: the profile
 * prints write syscalls per request. The calls come from this process, 10 in flight, rotating
 * over the sessions. Slow: valgrind runs node about 50x slower (two variants run at once). The
 * `redis` variant gets a private redis-server (not under valgrind: only the node process is counted).
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startRedisServer } from '../src/cluster/processes.js'
import { arg } from './lib/args.js'
import { mcpHttp } from './lib/mcp-http.js'
import { buildPackages, cpuMs, loadAverage, startBenchServer } from './lib/processes.js'
import { plan, type Planned } from './lib/variants.js'

const SESSIONS = Number(arg('sessions', '10'))
const WARMUP = Number(arg('warmup', '1000'))
const REQUESTS = Number(arg('requests', '5000'))
const CALL = arg('call', 'echo')
const tool = CALL === 'stream' ? { name: 'slow', args: { count: 3, delayMs: 0 } } : { name: 'echo', args: { text: 'hello' } }

/**
 * One variant under callgrind with instrumentation off while it starts, opens the sessions and
 * warms up; on (`callgrind_control -i on`) for the measured calls only, then dumped.
 */
async function measure(p: Planned, dir: string, i: number, redis: { url: string; pid?: number }): Promise<{ p: Planned; perRequest: number; redisCpuUs?: number }> {
  const out = join(dir, `${i}.callgrind`)
  const server = await startBenchServer(p.variant, {
    env: { ...p.env, REDIS_URL: redis.url },
    // One thread and a fixed GC schedule: compilation and GC run at points the work decides.
    nodeArgs: ['--single-threaded', '--predictable-gc-schedule'],
    launcher: ['valgrind', '--tool=callgrind', '--instr-atstart=no', '--smc-check=all-non-file', `--callgrind-out-file=${out}`, `--log-file=${out}.log`],
    timeoutMs: 600_000
  })
  try {
    const client = mcpHttp(server.port)
    const ids = await client.openSessions(SESSIONS)
    let next = 0
    const callMany = async (count: number) => {
      const last = next + count
      await Promise.all(Array.from({ length: 10 }, async () => {
        while (next < last) await client.callTool(ids[next++ % ids.length]!, tool.name, tool.args)
      }))
    }
    await callMany(WARMUP)
    const control = (...args: string[]) => execFileSync('callgrind_control', [...args, String(server.pid)], { stdio: 'ignore' })
    // redis-server runs natively: its CPU time over the window, per request (clock ticks: rough below ~1,000 requests).
    const redisPid = p.variant === 'redis' ? redis.pid : undefined
    const redisBefore = redisPid ? cpuMs(redisPid) : 0
    control('-i', 'on')
    await callMany(REQUESTS)
    control('-d')
    const redisCpuUs = redisPid ? ((cpuMs(redisPid) - redisBefore) * 1000) / REQUESTS : undefined
    client.close()
    const instructions = Number(/^summary: (\d+)/m.exec(readFileSync(`${out}.1`, 'utf8'))?.[1])
    if (!Number.isFinite(instructions)) throw new Error(`[mcp-sessions] Failed to count instructions of ${p.label}: no summary in ${out}.1`)
    return { p, perRequest: instructions / REQUESTS, redisCpuUs }
  } finally {
    await server.stop()
  }
}

buildPackages()
const planned = plan(arg('variants', `map,manager${arg('candidate', '') ? ',candidate' : ''}`), arg('candidate', ''), arg('redis-candidate', ''))
const dir = mkdtempSync(join(tmpdir(), 'mcps-instructions-'))
const redis = planned.some(p => p.variant === 'redis') ? await startRedisServer() : undefined
try {
  console.log(`## Instructions per tools/call ${tool.name} (valgrind callgrind), ${SESSIONS} sessions, ${WARMUP} warm-up calls, ${REQUESTS} measured; load average ${loadAverage()}\n`)
  // Two at a time: the counts do not depend on timing.
  const results: Array<Awaited<ReturnType<typeof measure>>> = []
  for (let i = 0; i < planned.length; i += 2) results.push(...await Promise.all(planned.slice(i, i + 2).map((p, j) => measure(p, dir, i + j, { url: redis?.url ?? '', pid: redis?.child.pid }))))
  const manager = results.find(r => r.p.variant === 'manager')
  const map = results.find(r => r.p.variant === 'map')
  const ratio = (x: number, base: number | undefined) => (base ? `${(x / base).toFixed(3)}x` : '-')
  console.log('| server | instructions per request | vs map | vs manager | redis-server CPU µs/req |')
  console.log('|---|---|---|---|---|')
  for (const r of results) {
    console.log(`| ${r.p.label} | ${Math.round(r.perRequest).toLocaleString('en-US')} | ${ratio(r.perRequest, map?.perRequest)} | ${ratio(r.perRequest, manager?.perRequest)} | ${r.redisCpuUs === undefined ? '' : r.redisCpuUs.toFixed(0)} |`)
  }
} finally {
  await redis?.stop()
  rmSync(dir, { recursive: true, force: true })
}
