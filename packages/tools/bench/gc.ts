/**
 * Garbage collection per request (issue 16): where the time that grows with the number of sessions goes.
 *
 *   npx tsx packages/tools/bench/gc.ts [--variants map,manager] [--candidate path/to/dist/index.js]
 *     [--sessions 10,10000] [--seconds 10] [--warmup 3] [--connections 10] [--tables 1000]
 *
 * Per variant and session count: a server process (lib/bench-server.ts) under `node --trace-gc`,
 * one wrk slice after a warm-up; from V8's own lines in that slice: requests per scavenge (how much
 * a request allocates), ms per scavenge (how much survives it, which grows with the heap of
 * live sessions), GC ms per request, and mark-compacts. `--tables N` then opens N sessions on a
 * fresh server, calls each twice, writes a heap snapshot, calls each once more, writes another:
 * the Map and Set tables alive in the first and gone in the second lived from one call of their
 * session to the next, long enough to be promoted, so they are garbage of the old generation.
 * Counted per session and call. A table appears per call when a per-session collection is
 * emptied after every call (V8 reallocates a small table when it shrinks to nothing).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { arg } from './lib/args.js'
import { mcpHttp } from './lib/mcp-http.js'
import { buildPackages, loadAverage, startBenchServer } from './lib/processes.js'
import { plan, type Planned } from './lib/variants.js'
import { runWrk, writeIds } from './lib/wrk.js'

const counts = arg('sessions', '10,10000').split(',').map(Number)
const SECONDS = Number(arg('seconds', '10'))
const WARMUP = Number(arg('warmup', '3'))
const CONNECTIONS = Number(arg('connections', '10'))
const TABLES = Number(arg('tables', '1000'))
const planned = plan(arg('variants', `map,manager${arg('candidate', '') ? ',candidate' : ''}`), arg('candidate', ''))

const SCAVENGE = /Scavenge .*?, ([\d.]+) \/ [\d.]+ ms/
const MARK_COMPACT = /Mark-Compact .*?, ([\d.]+) \/ [\d.]+ ms/

/** Sums V8's `--trace-gc` lines: count and main-thread ms of scavenges and of mark-compacts. */
function gcOf(lines: string[]): { scavenges: number; scavengeMs: number; compacts: number; compactMs: number } {
  const out = { scavenges: 0, scavengeMs: 0, compacts: 0, compactMs: 0 }
  for (const line of lines) {
    const s = SCAVENGE.exec(line)
    if (s) {
      out.scavenges++
      out.scavengeMs += Number(s[1])
    }
    const m = MARK_COMPACT.exec(line)
    if (m) {
      out.compacts++
      out.compactMs += Number(m[1])
    }
  }
  return out
}

async function traced(p: Planned, sessions: number, dir: string): Promise<string> {
  const server = await startBenchServer(p.variant, { env: p.env, nodeArgs: ['--trace-gc'] })
  try {
    const client = mcpHttp(server.port)
    const idsFile = join(dir, 'ids')
    writeIds(idsFile, await client.openSessions(sessions))
    client.close()
    const load = (seconds: number) => runWrk({ port: server.port, idsFile, seconds, connections: CONNECTIONS, call: 'echo', check: true })
    await load(WARMUP)
    const lines: string[] = []
    const collect = (chunk: Buffer) => lines.push(...chunk.toString().split('\n'))
    server.stdout.on('data', collect)
    const r = await load(SECONDS)
    server.stdout.off('data', collect)
    const gc = gcOf(lines)
    return `| ${p.label} | ${sessions.toLocaleString('en-US')} | ${Math.round(r.rps).toLocaleString('en-US')} | ${(r.requests / gc.scavenges).toFixed(0)} | ${(gc.scavengeMs / gc.scavenges).toFixed(2)} | ${(((gc.scavengeMs + gc.compactMs) * 1000) / r.requests).toFixed(1)} | ${gc.compacts} |`
  } finally {
    await server.stop()
  }
}

type Snapshot = { snapshot: { meta: { node_fields: string[]; node_types: [string[]]; edge_fields: string[]; edge_types: [string[]] } }; nodes: number[]; edges: number[]; strings: string[] }

/** Node ids of `snap`, and for each Map or Set (by id) the id of its table. */
function tablesOf(snap: Snapshot): { ids: Set<number>; tables: Array<[number, string]> } {
  const { node_fields: nf, node_types: [types], edge_fields: ef, edge_types: [edgeTypes] } = snap.snapshot.meta
  const [type, name, id, edgeCount] = ['type', 'name', 'id', 'edge_count'].map(f => nf.indexOf(f)) as [number, number, number, number]
  const [edgeType, edgeName, to] = ['type', 'name_or_index', 'to_node'].map(f => ef.indexOf(f)) as [number, number, number]
  const ids = new Set<number>()
  const tables: Array<[number, string]> = []
  for (let i = 0, e = 0; i < snap.nodes.length; i += nf.length) {
    ids.add(snap.nodes[i + id]!)
    const owner = types[snap.nodes[i + type]!] === 'object' ? snap.strings[snap.nodes[i + name]!] : undefined
    for (let k = 0; k < snap.nodes[i + edgeCount]!; k++, e += ef.length) {
      if ((owner === 'Map' || owner === 'Set') && edgeTypes[snap.edges[e + edgeType]!] === 'internal' && snap.strings[snap.edges[e + edgeName]!] === 'table') {
        tables.push([snap.nodes[snap.edges[e + to]! + id]!, owner])
      }
    }
  }
  return { ids, tables }
}

async function tablesPerCall(p: Planned, dir: string): Promise<string> {
  const server = await startBenchServer(p.variant, { env: p.env })
  try {
    const client = mcpHttp(server.port)
    const ids = await client.openSessions(TABLES)
    const round = async () => {
      for (let i = 0; i < ids.length; i += CONNECTIONS) await Promise.all(ids.slice(i, i + CONNECTIONS).map(id => client.callTool(id, 'echo', { text: 'hello' })))
    }
    await round()
    await round()
    const first = await server.ask<string>({ type: 'snapshot', path: join(dir, 'a.heapsnapshot') })
    await round()
    const second = await server.ask<string>({ type: 'snapshot', path: join(dir, 'b.heapsnapshot') })
    client.close()
    const before = tablesOf(JSON.parse(readFileSync(first, 'utf8')) as Snapshot)
    const after = tablesOf(JSON.parse(readFileSync(second, 'utf8')) as Snapshot).ids
    const gone = { Map: 0, Set: 0 }
    for (const [table, owner] of before.tables) if (!after.has(table)) gone[owner as 'Map' | 'Set']++
    return `| ${p.label} | ${(gone.Map / TABLES).toFixed(2)} | ${(gone.Set / TABLES).toFixed(2)} |`
  } finally {
    await server.stop()
  }
}

buildPackages()
const dir = mkdtempSync(join(tmpdir(), 'mcps-gc-'))
try {
  console.log(`## Garbage collection per request: node ${process.version}, wrk -t1 -c${CONNECTIONS}, tools/call echo, one ${SECONDS} s slice after a ${WARMUP} s warm-up; load average ${loadAverage()}\n`)
  console.log('| server | live sessions | req/s | requests per scavenge | ms per scavenge | GC µs per request (main thread) | mark-compacts in the slice |')
  console.log('|---|---|---|---|---|---|---|')
  for (const sessions of counts) for (const p of planned) console.log(await traced(p, sessions, dir))
  if (TABLES > 0) {
    console.log(`\nMap and Set tables that lived from one call of their session to the next (${TABLES.toLocaleString('en-US')} sessions, per session and call):\n`)
    console.log('| server | Map tables | Set tables |')
    console.log('|---|---|---|')
    for (const p of planned) console.log(await tablesPerCall(p, dir))
  }
  console.log(`\nLoad average at the end: ${loadAverage()}`)
} finally {
  rmSync(dir, { recursive: true, force: true })
}
