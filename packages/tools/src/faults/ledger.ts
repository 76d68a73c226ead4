/**
 * Accounting of one fault run: what the nodes produced (their emit logs)
 * against what each client received.
 *
 * Definitions (the README states them as they are here):
 * - a message is **sent** when the node's event store accepted it (the SDK's
 *   `send` resolved; the node logs it with a synchronous write right after),
 *   or when any client received it (it was accepted even if the node died
 *   before logging);
 * - **lost**: sent, and not received by its client by the end of the run
 *   (all calls settled, then a bounded drain);
 * - **twice**: received more than once (counted once per message);
 * - **not produced**: promised but never sent because the node serving the
 *   call stopped working: a tick whose tool began sending it, or a part of a
 *   streamed call that began (the call promises `count` parts). Only work on a
 *   node killed with SIGKILL may end up here; anywhere else it is a failure;
 * - **cancelled**: parts of a call the client cancelled (its request timed
 *   out): a consequence of an earlier failure, counted apart from both;
 * - **orphaned**: parts sent for a call whose POST the client saw answered
 *   with an HTTP error (a balancer's 504 while the node was frozen, which ran
 *   the call once it was continued): no stream was ever opened for them, so
 *   no server could deliver them; counted apart from lost.
 */
import type { EmitRecord } from '../cluster/fault-tools.js'
import type { ClientKind, ClientSnapshot, Flavour } from './protocol.js'

export interface Tally {
  sent: number
  lost: number
  twice: number
  /** Per node: promised, never sent. */
  notProduced: Record<string, number>
  /** Parts of calls the client cancelled, never sent. */
  cancelled: number
  /** Parts sent for calls the client saw fail with an HTTP error, not received. */
  orphaned: number
  /** Received, but no node ever began it (a harness bug if not 0). */
  unexpected: number
  /** Up to 20 lost messages, `<client>#<seq or call:part> by <node> at <epoch ms>`, for diagnosis. */
  lostSamples: string[]
}

export interface FlavourRow {
  flavour: Flavour
  clients: number
  calls: { ok: number; failed: number }
  ticks: Tally
  parts: Tally
  /** The same tallies per kind of client (workload.ts). */
  byKind: Partial<Record<ClientKind, { clients: number; ticks: Tally; parts: Tally }>>
  /** Calls whose tool returned its result, yet the client's call failed. */
  resultsDropped: number
  /** GET requests without Last-Event-ID after the client's first GET stream (its resume token forgotten). */
  freshGets: number
  resumedGets: number
  /** Clients that reported giving up their GET stream ("Maximum reconnection attempts"). */
  gaveUp: number
  /** Clients that started a new session (recovery after 404). */
  recovered: number
  errors: Record<string, number>
}

const tally = (): Tally => ({ sent: 0, lost: 0, twice: 0, notProduced: {}, cancelled: 0, orphaned: 0, unexpected: 0, lostSamples: [] })

function add(into: Tally, from: Tally): void {
  into.sent += from.sent
  into.lost += from.lost
  into.twice += from.twice
  into.unexpected += from.unexpected
  into.cancelled += from.cancelled
  into.orphaned += from.orphaned
  into.lostSamples.push(...from.lostSamples.slice(0, 20 - into.lostSamples.length))
  for (const [node, n] of Object.entries(from.notProduced)) into.notProduced[node] = (into.notProduced[node] ?? 0) + n
}

/** What the nodes' logs say about every client's messages. */
interface Produced {
  /** `<client>#<seq>` -> node that began the tick. */
  began: Map<string, string>
  /** Ticks `<client>#<seq>` and parts `<client>#<call>:<part>` the event store accepted, and when. */
  sent: Map<string, number>
  /** `t:<client>#<seq>` and `p:<client>#<call>`: the tool returned. */
  returned: Set<string>
  /** `<client>#<call>` -> parts promised, node. */
  promised: Map<string, { count: number; node: string }>
  /** `<client>#<call>` the client cancelled. */
  cancelled: Set<string>
  /** Keys of each client, so a client's tally does not scan everyone's. */
  byClient: Map<string, { ticks: string[]; calls: string[] }>
}

function produced(records: EmitRecord[]): Produced {
  const p: Produced = { began: new Map(), sent: new Map(), returned: new Set(), promised: new Map(), cancelled: new Set(), byClient: new Map() }
  const keysOf = (c: string) => p.byClient.get(c) ?? p.byClient.set(c, { ticks: [], calls: [] }).get(c)!
  for (const r of records) {
    if (r.t === 'tick') {
      const key = `${r.c}#${r.s}`
      if (r.e === 'i' && !p.began.has(key)) {
        p.began.set(key, r.n)
        keysOf(r.c).ticks.push(String(r.s))
      }
      if (r.e === 's') p.sent.set(key, r.at)
      if (r.e === 'r') p.returned.add(`t:${key}`)
    } else {
      const call = `${r.c}#${r.k}`
      if (r.e === 'b' && !p.promised.has(call)) keysOf(r.c).calls.push(String(r.k))
      if (r.e === 'b') p.promised.set(call, { count: r.count ?? 0, node: r.n })
      if (r.e === 's') p.sent.set(`${call}:${r.p}`, r.at)
      if (r.e === 'r') p.returned.add(`p:${call}`)
      if (r.e === 'x' && r.why === 'cancelled') p.cancelled.add(call)
    }
  }
  return p
}

/** One client's messages: sent, lost, twice, never produced. */
function tallyClient(c: ClientSnapshot, p: Produced): { ticks: Tally; parts: Tally } {
  const ticks = tally()
  const parts = tally()
  const keys = p.byClient.get(c.cid) ?? { ticks: [], calls: [] }
  for (const s of keys.ticks) {
    const key = `${c.cid}#${s}`
    const received = c.received[s] !== undefined
    if (p.sent.has(key) || received) {
      ticks.sent++
      if (!received) {
        ticks.lost++
        if (ticks.lostSamples.length < 20) ticks.lostSamples.push(`${key} by ${p.began.get(key)} at ${p.sent.get(key)}`)
      }
    } else {
      const node = p.began.get(key)!
      ticks.notProduced[node] = (ticks.notProduced[node] ?? 0) + 1
    }
  }
  const refused = new Set(c.parts.httpFailed.map(String))
  for (const k of keys.calls) {
    const { count, node } = p.promised.get(`${c.cid}#${k}`)!
    for (let part = 1; part <= count; part++) {
      const received = c.receivedParts[`${k}:${part}`] !== undefined
      if (p.sent.has(`${c.cid}#${k}:${part}`) || received) {
        parts.sent++
        if (!received && refused.has(k)) parts.orphaned++
        else if (!received) {
          parts.lost++
          if (parts.lostSamples.length < 20) parts.lostSamples.push(`${c.cid}#${k}:${part} by ${node} at ${p.sent.get(`${c.cid}#${k}:${part}`)}`)
        }
      } else if (p.cancelled.has(`${c.cid}#${k}`)) {
        parts.cancelled++
      } else {
        parts.notProduced[node] = (parts.notProduced[node] ?? 0) + 1
      }
    }
  }
  for (const [s, times] of Object.entries(c.received)) {
    if (!p.began.has(`${c.cid}#${s}`)) ticks.unexpected++
    if (times > 1) ticks.twice++
  }
  for (const [part, times] of Object.entries(c.receivedParts)) {
    if (!p.promised.has(`${c.cid}#${part.split(':')[0]}`)) parts.unexpected++
    if (times > 1) parts.twice++
  }
  return { ticks, parts }
}

/**
 * Folds the nodes' emit logs and the clients' snapshots into one row per flavour.
 *
 * @example
 * const [patched, plain] = account(cluster.records(), [{ flavour: 'patched', clients: await a.snapshot() }, { flavour: 'plain', clients: await b.snapshot() }])
 */
export function account(records: EmitRecord[], snapshots: Array<{ flavour: Flavour; clients: ClientSnapshot[] }>): FlavourRow[] {
  const p = produced(records)
  return snapshots.map(({ flavour, clients }) => {
    const row: FlavourRow = {
      flavour, clients: clients.length, calls: { ok: 0, failed: 0 }, ticks: tally(), parts: tally(), byKind: {}, resultsDropped: 0,
      freshGets: 0, resumedGets: 0, gaveUp: 0, recovered: 0, errors: {}
    }
    for (const c of clients) {
      const mine = tallyClient(c, p)
      const kind = row.byKind[c.kind] ??= { clients: 0, ticks: tally(), parts: tally() }
      kind.clients++
      for (const into of [row, kind]) {
        add(into.ticks, mine.ticks)
        add(into.parts, mine.parts)
      }
      row.calls.ok += c.ticks.ok + c.parts.ok
      row.calls.failed += c.ticks.failed.length + c.parts.failed.length
      row.resultsDropped += c.ticks.failed.filter(s => p.returned.has(`t:${c.cid}#${s}`)).length
      row.resultsDropped += c.parts.failed.filter(k => p.returned.has(`p:${c.cid}#${k}`)).length
      row.freshGets += c.gets.freshAgain
      row.resumedGets += c.gets.resumed
      if (Object.keys(c.clientErrors).some(e => e.includes('Maximum reconnection attempts'))) row.gaveUp++
      if (c.sessions.length > 1) row.recovered++
      for (const [error, n] of Object.entries(c.errors)) row.errors[error] = (row.errors[error] ?? 0) + n
    }
    return row
  })
}

/** Sum of a per-node count. */
export const total = (perNode: Record<string, number>) => Object.values(perNode).reduce((a, b) => a + b, 0)
