/**
 * One fault run: a fresh cluster (Redis with AOF, three nodes, haproxy), one
 * client process per SDK flavour, a warm-up, the fault at a known point,
 * the workload for a while longer, then every call settles, a bounded drain,
 * and the accounting (ledger.ts). Everything started is stopped by PID in
 * `finally`.
 */
import { startClientProcess, sdkDirOf, type ClientProcess } from './client-process.js'
import { startFaultCluster, watchStandaloneStreams, type FaultCluster } from './fault-cluster.js'
import { account, type FlavourRow } from './ledger.js'
import type { ClientKind, ClientSnapshot, Flavour, WorkerConfig } from './protocol.js'

export type FaultName = 'cuts' | 'kill9' | 'sigterm' | 'sigstop' | 'redis'

/** The fault issue's rows, in its order. */
export const FAULTS: Record<FaultName, string> = {
  cuts: 'haproxy cutting idle streams, no faults',
  kill9: 'kill -9 one node',
  sigterm: 'SIGTERM one node',
  sigstop: 'SIGSTOP one node 10 s, then SIGCONT',
  redis: 'Redis stopped 5 s, restarted with AOF'
}

export interface ScenarioOptions {
  fault: FaultName
  /** `memory`: one node with the in-memory store behind haproxy (no Redis fault, no failover). Default `redis`: three nodes. */
  store?: 'redis' | 'memory'
  sdkVersion?: string
  flavours?: Flavour[]
  /** Clients per flavour; their kinds cycle busy, quiet, slow (workload.ts). Default 3. */
  clientsPerFlavour?: number
  /** haproxy's idle cut. Default 3_000. */
  timeoutServerMs?: number
  noDelay?: boolean
  /** The workload goes on this long after the fault is over (for `cuts`: the whole run). Default 10_000. */
  afterMs?: number
  stopMs?: number
  redisDownMs?: number
  callTimeoutMs?: number
  /** How long calls in flight may take to settle once the workload stops. Default 10_000. */
  settleMs?: number
  /** How long missing messages may take to arrive after that. Default 5_000. */
  drainMs?: number
  /** Ticks received (all clients together, each client at least one) before the fault. Default 20. */
  warmupTicks?: number
  reconnection?: WorkerConfig['reconnection']
  seed?: number
  log?: (line: string) => void
}

export interface ScenarioResult {
  fault: FaultName
  label: string
  rows: FlavourRow[]
  /** Sessions that held two standalone GET streams at once (all nodes added up), per flavour. */
  doubledGetSessions: Record<string, number>
  /** GET requests per session through the balancer: the most any session made, and over how long. */
  getsPerSession: { most: number; overMs: number }
  target?: string
  /** When the fault began (epoch ms). */
  at?: number
  /** SIGTERM only: how long the node took to exit. */
  exitMs?: number
  haproxy: { requests: number; cuts: number; byStatus: Record<string, number> }
  durationMs: number
}

/**
 * The clients' reconnection settings: the SDK 1.x defaults, written out so a
 * change of default upstream does not change the run unnoticed.
 */
export const RECONNECTION: WorkerConfig['reconnection'] = { initialReconnectionDelay: 1_000, maxReconnectionDelay: 30_000, reconnectionDelayGrowFactor: 1.5, maxRetries: 2 }

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms))

/**
 * Runs one fault and accounts for every message.
 *
 * @example
 * const result = await runScenario({ fault: 'kill9', afterMs: 8_000 })
 * console.log(result.rows.map(r => r.ticks.lost))
 */
export async function runScenario(options: ScenarioOptions): Promise<ScenarioResult> {
  const began = Date.now()
  const log = options.log ?? (() => {})
  const flavours = options.flavours ?? ['patched', 'plain']
  const timeoutServerMs = options.timeoutServerMs ?? 3_000
  const memory = options.store === 'memory'
  if (memory && options.fault !== 'cuts') throw new Error(`[mcp-sessions] Failed to run fault "${options.fault}" on the memory store: one node holds every session there; only "cuts" applies.`)
  const cluster = await startFaultCluster({ nodes: memory ? 1 : 3, nodeEnv: memory ? { STORE: 'memory' } : {}, haproxy: { timeoutServerMs, noDelay: options.noDelay ?? true } })
  const workers: ClientProcess[] = []
  try {
    const kinds: ClientKind[] = ['busy', 'quiet', 'slow']
    for (const flavour of flavours) {
      workers.push(await startClientProcess(flavour, {
        url: cluster.proxy.url,
        sdkDir: sdkDirOf(options.sdkVersion ?? '1.32.2', flavour),
        clients: Array.from({ length: options.clientsPerFlavour ?? 3 }, (_, i) => ({ cid: `${flavour}-${i}`, kind: kinds[i % kinds.length]! })),
        callTimeoutMs: options.callTimeoutMs ?? 20_000,
        reconnection: options.reconnection ?? RECONNECTION,
        timeoutServerMs,
        seed: options.seed ?? 1
      }))
    }
    const watch = watchStandaloneStreams(cluster, 250)
    await warmUp(workers, options.warmupTicks ?? 20)
    log(`${options.fault}: warmed up after ${Date.now() - began} ms`)
    const injected = await inject(cluster, options, log)
    await sleep(options.afterMs ?? 10_000)
    await Promise.all(workers.map(w => w.stop(options.settleMs ?? 10_000)))
    const rows = await drain(cluster, workers, options.drainMs ?? 5_000)
    const { doubled } = watch.stop()
    const snapshots = await Promise.all(workers.map(w => w.snapshot()))
    // MCPS_FAULTS_DEBUG=1: each client's GET requests and its SDK transport's own error reports.
    if (process.env.MCPS_FAULTS_DEBUG) {
      for (const c of snapshots.flat()) log(JSON.stringify({ cid: c.cid, kind: c.kind, gets: c.gets, getLog: c.getLog.filter(([at]) => !injected.at || Math.abs(at - injected.at) < 15_000), posts: c.posts, clientErrors: c.clientErrors }))
      for (const row of rows) log(`${row.flavour} lost (fault at ${injected.at}): ${JSON.stringify({ ticks: row.ticks.lostSamples, parts: row.parts.lostSamples })}`)
    }
    const doubledGetSessions = Object.fromEntries(workers.map((w, i) => [w.flavour, snapshots[i]!.filter(c => c.sessions.some(s => doubled.has(s))).length]))
    const byStatus: Record<string, number> = {}
    const gets = new Map<string, number>()
    for (const entry of cluster.proxy.log) {
      byStatus[entry.status] = (byStatus[entry.status] ?? 0) + 1
      if (entry.method === 'GET' && entry.sessionId) gets.set(entry.sessionId, (gets.get(entry.sessionId) ?? 0) + 1)
    }
    return {
      fault: options.fault,
      label: FAULTS[options.fault],
      rows,
      doubledGetSessions,
      getsPerSession: { most: Math.max(0, ...gets.values()), overMs: Date.now() - began },
      ...injected,
      haproxy: { requests: cluster.proxy.log.length, cuts: cluster.proxy.log.filter(e => e.termination.startsWith('sD')).length, byStatus },
      durationMs: Date.now() - began
    }
  } finally {
    for (const worker of workers) await worker.close()
    await cluster.stop()
  }
}

/** Until every client received a tick and all together `ticks`; bounded. */
async function warmUp(workers: ClientProcess[], ticks: number, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms
  for (;;) {
    const clients = (await Promise.all(workers.map(w => w.snapshot()))).flat()
    const received = clients.map(c => Object.keys(c.received).length)
    if (received.every(n => n > 0) && received.reduce((a, b) => a + b, 0) >= ticks) return
    if (Date.now() > deadline) throw new Error(`[mcp-sessions] The fault run did not warm up within ${ms} ms: ticks received per client ${received.join(', ')}`)
    await sleep(200)
  }
}

/** Applies the fault; resolves once it is over (the node is gone, continued, or Redis is back). */
async function inject(cluster: FaultCluster, options: ScenarioOptions, log: (line: string) => void): Promise<{ target?: string; exitMs?: number; at?: number }> {
  const { fault } = options
  if (fault === 'cuts') return {}
  const at = Date.now()
  if (fault === 'redis') {
    await cluster.redis.down('SIGTERM')
    log('redis: stopped (SIGTERM, AOF flushed)')
    await sleep(options.redisDownMs ?? 5_000)
    await cluster.redis.up()
    log('redis: restarted on the same port, data from the AOF')
    return { at }
  }
  const node = await pickTarget(cluster)
  log(`${fault}: target ${node.name}`)
  if (fault === 'kill9') {
    const killed = Date.now()
    await node.kill('SIGKILL')
    return { target: node.name, at: killed }
  }
  if (fault === 'sigterm') {
    const sent = Date.now()
    await node.kill('SIGTERM')
    return { target: node.name, exitMs: Date.now() - sent, at: sent }
  }
  const stopped = Date.now()
  node.child.kill('SIGSTOP')
  node.away = true
  await sleep(options.stopMs ?? 10_000)
  node.child.kill('SIGCONT')
  node.away = false
  return { target: node.name, at: stopped }
}

/**
 * The node serving a streamed call right now, and the most GET streams
 * among those: killing it cuts calls and streams at once. Bounded; falls
 * back to the node with the most GET streams.
 */
async function pickTarget(cluster: FaultCluster, ms = 10_000) {
  const deadline = Date.now() + ms
  for (;;) {
    const stats = await cluster.stats()
    const scored = stats.map((s, i) => ({ i, streams: Object.keys(s?.streams.open ?? {}).length, calls: s?.partsInFlight ?? 0 }))
    const ready = scored.filter(s => s.calls > 0 && s.streams > 0).sort((a, b) => b.streams - a.streams || b.calls - a.calls)
    if (ready[0]) return cluster.nodes[ready[0].i]!
    if (Date.now() > deadline) return cluster.nodes[scored.sort((a, b) => b.streams - a.streams)[0]!.i]!
    await sleep(50)
  }
}

/** Re-accounts until nothing sent is missing, or `ms` passed. */
async function drain(cluster: FaultCluster, workers: ClientProcess[], ms: number): Promise<FlavourRow[]> {
  const deadline = Date.now() + ms
  for (;;) {
    const snapshots: Array<{ flavour: Flavour; clients: ClientSnapshot[] }> = await Promise.all(workers.map(async w => ({ flavour: w.flavour, clients: await w.snapshot() })))
    const rows = account(cluster.records(), snapshots)
    if (rows.every(r => r.ticks.lost === 0 && r.parts.lost === 0) || Date.now() > deadline) return rows
    await sleep(300)
  }
}
