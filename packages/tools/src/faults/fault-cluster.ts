import type { ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { EmitRecord } from '../cluster/fault-tools.js'
import { startHaproxy, type Haproxy, type HaproxyOptions } from '../cluster/haproxy.js'
import { startNode, startRedisServer, type RedisServerProcess } from '../cluster/processes.js'

export interface FaultNode {
  name: string
  port: number
  child: ChildProcess
  /** Its emit log (cluster/fault-tools.ts). */
  log: string
  /** Not answering: SIGSTOPped, or exited. */
  away: boolean
  kill(signal?: NodeJS.Signals): Promise<void>
}

/** What the nodes report in /stats (packages/tools/src/cluster/node.ts). */
export interface NodeStats {
  node: string
  inFlight: number
  partsInFlight: number
  ticks: number
  parts: number
  errors: string[]
  streams: { fresh: number; resumedGet: number; resumedRequest: number; maxStandalone: number; open: Record<string, number> }
}

/**
 * The system under test: a private redis-server with AOF, `nodes` demo node
 * processes on it, and haproxy in front. Cleans up whatever it started when
 * start-up fails; `stop()` stops everything by PID.
 *
 * @example
 * const cluster = await startFaultCluster({ nodes: 3, haproxy: { timeoutServerMs: 3_000 } })
 * try { ... } finally { await cluster.stop() }
 */
export async function startFaultCluster(options: { nodes?: number; haproxy?: HaproxyOptions; nodeEnv?: Record<string, string> } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'mcps-faults-'))
  const cleanups: Array<() => Promise<void>> = []
  const stop = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {})
    cleanups.length = 0
    rmSync(dir, { recursive: true, force: true })
  }
  try {
    const redis: RedisServerProcess = await startRedisServer({ appendOnly: true })
    cleanups.push(redis.stop)
    const nodes: FaultNode[] = await Promise.all(Array.from({ length: options.nodes ?? 3 }, async (_, i) => {
      const name = `node-${i}`
      const log = join(dir, `${name}.jsonl`)
      const started = await startNode({
        REDIS_URL: redis.url,
        NODE_NAME: name,
        PORT: '0',
        EMIT_LOG: log,
        // haproxy keeps idle server connections for reuse: node:http must not close them first (a request
        // sent on a connection the node is closing is answered 502, a fault of the harness, not of the system).
        HTTP_KEEP_ALIVE_MS: '120000',
        ...options.nodeEnv
      }, 30_000)
      const node: FaultNode = { name, port: started.port, child: started.child, log, away: false, kill: started.kill }
      started.child.once('exit', () => void (node.away = true))
      cleanups.push(async () => {
        if (!node.away) started.child.kill('SIGCONT')
        await started.kill('SIGKILL')
      })
      return node
    }))
    const proxy: Haproxy = await startHaproxy(nodes.map(n => ({ name: n.name, port: n.port })), options.haproxy)
    cleanups.push(proxy.stop)
    for (const node of nodes) await proxy.waitForServer(node.name, 'UP', 10_000)
    return {
      dir, redis, nodes, proxy, stop,
      /** /stats of every node that answers within 1 s (a stopped or dead one is skipped). */
      stats: () => Promise.all(nodes.map(n => n.away ? undefined : nodeStats(n.port))),
      /** Every node's emit log so far. */
      records: () => nodes.flatMap(n => readRecords(n.log))
    }
  } catch (error) {
    await stop()
    throw error
  }
}

export type FaultCluster = Awaited<ReturnType<typeof startFaultCluster>>

async function nodeStats(port: number): Promise<NodeStats | undefined> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/stats`, { signal: AbortSignal.timeout(1_000) })
    return (await response.json()) as NodeStats
  } catch {
    return undefined
  }
}

function readRecords(file: string): EmitRecord[] {
  if (!existsSync(file)) return []
  // A SIGKILL may leave a torn last line: skip what does not parse.
  return readFileSync(file, 'utf8').split('\n').flatMap(line => {
    if (!line) return []
    try {
      return [JSON.parse(line) as EmitRecord]
    } catch {
      return []
    }
  })
}

/**
 * Samples every node's open standalone GET streams and adds them up per
 * session: a session with two at once (on one node or two) is cause 3 of the
 * fault issue. Runs until the returned `stop()`.
 *
 * @example
 * const watch = watchStandaloneStreams(cluster, 500)
 * const { doubled } = watch.stop()
 */
export function watchStandaloneStreams(cluster: FaultCluster, everyMs: number) {
  const doubled = new Set<string>()
  let samples = 0
  let most = 0
  let busy = false
  const timer = setInterval(() => {
    if (busy) return
    busy = true
    void cluster.stats().then(all => {
      samples++
      const perSession = new Map<string, number>()
      for (const s of all) for (const [id, n] of Object.entries(s?.streams.open ?? {})) perSession.set(id, (perSession.get(id) ?? 0) + n)
      for (const [id, n] of perSession) {
        most = Math.max(most, n)
        if (n > 1) doubled.add(id)
      }
    }).finally(() => void (busy = false))
  }, everyMs)
  return {
    stop() {
      clearInterval(timer)
      return { samples, doubled, most }
    }
  }
}
