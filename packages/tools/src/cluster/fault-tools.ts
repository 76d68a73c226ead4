/**
 * The demo node's tools for the fault suite: each message carries numbers
 * the client chose, and the node writes what it produced to an append-only
 * log (EMIT_LOG), so a test can tell lost from never-produced even for a node
 * that was killed.
 */
import { closeSync, openSync, writeSync } from 'node:fs'
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { z } from 'zod'

/**
 * One line per step, as JSON: `e` is `b` (a streamed call began, `count`
 * parts promised), `i` (about to send), `s` (sent: the event store accepted
 * it, so it must reach the client once), `r` (the tool returned its result)
 * or `x` (the call was aborted before part `p`: `why` is `cancelled` when the
 * client cancelled it, `closed` when the server closed the session's
 * transport); `t` is `tick` or `part`; `c` the client's id; `s` the tick's
 * sequence number or `k`/`p` the streamed call and part.
 */
export interface EmitRecord {
  e: 'b' | 'i' | 's' | 'r' | 'x'
  why?: 'cancelled' | 'closed'
  t: 'tick' | 'part'
  c: string
  s?: number
  k?: number
  p?: number
  count?: number
  n: string
  at: number
}

/**
 * Appends records synchronously: a write(2) that returned survives a SIGKILL
 * of this process, so the log is exact up to the kill.
 *
 * @example
 * const log = openEmitLog(process.env.EMIT_LOG)
 * log.write({ e: 's', t: 'tick', c: 'p0', s: 1, n: 'node-0', at: Date.now() })
 */
export function openEmitLog(path: string | undefined): { write(record: EmitRecord): void; close(): void } {
  if (!path) return { write: () => {}, close: () => {} }
  const fd = openSync(path, 'a')
  return {
    write: record => void writeSync(fd, JSON.stringify(record) + '\n'),
    close: () => closeSync(fd)
  }
}

/** Counters the node reports in /stats. */
export interface FaultToolStats {
  ticks: number
  parts: number
  /** Calls of either tool running now. */
  inFlight: number
  /** Streamed calls running now. */
  partsInFlight: number
}

/**
 * `tick {c, s}`: one log message on the session's GET stream (no related
 * request), data `{t: 'tick', c, s}`. `parts {c, k, count, gapsMs}`: `count`
 * messages on the call's own stream, data `{t: 'part', c, k, p}`, the gap
 * before part p (p >= 2) being `gapsMs[(p - 2) % gapsMs.length]`, then the result.
 *
 * @example
 * registerFaultTools(server, { node: 'node-0', log, stats })
 */
export function registerFaultTools(server: McpServer, context: { node: string; log: ReturnType<typeof openEmitLog>; stats: FaultToolStats }): void {
  const { node, log, stats } = context
  const record = (fields: Omit<EmitRecord, 'n' | 'at'>) => log.write({ ...fields, n: node, at: Date.now() })
  server.registerTool('tick', { inputSchema: { c: z.string().max(40), s: z.number().int().min(0) } }, async ({ c, s }) => {
    stats.inFlight++
    try {
      record({ e: 'i', t: 'tick', c, s })
      await server.server.sendLoggingMessage({ level: 'info', data: { t: 'tick', c, s } })
      record({ e: 's', t: 'tick', c, s })
      stats.ticks++
      record({ e: 'r', t: 'tick', c, s })
      return { content: [{ type: 'text', text: `tick ${s} by ${node}` }] }
    } finally {
      stats.inFlight--
    }
  })
  const parts = {
    c: z.string().max(40),
    k: z.number().int().min(0),
    count: z.number().int().min(1).max(100),
    gapsMs: z.array(z.number().int().min(0).max(60_000)).max(20)
  }
  server.registerTool('parts', { inputSchema: parts }, async ({ c, k, count, gapsMs }, extra) => {
    stats.inFlight++
    stats.partsInFlight++
    try {
      record({ e: 'b', t: 'part', c, k, count })
      for (let p = 1; p <= count; p++) {
        const gap = p > 1 && gapsMs.length ? gapsMs[(p - 2) % gapsMs.length]! : 0
        if (gap) await new Promise(resolve => setTimeout(resolve, gap))
        // @note Once the request's signal is aborted, the SDK's sendNotification returns without
        // sending anything: check first, or a part never sent would be logged as sent.
        if (extra.signal.aborted) {
          // The SDK aborts with the client's reason on notifications/cancelled, with none when it closes.
          const why = extra.signal.reason instanceof DOMException ? 'closed' : 'cancelled'
          record({ e: 'x', t: 'part', c, k, p, why })
          return { content: [{ type: 'text', text: `parts ${k}: aborted (${why}) before part ${p}` }] }
        }
        record({ e: 'i', t: 'part', c, k, p })
        await extra.sendNotification({ method: 'notifications/message', params: { level: 'info', data: { t: 'part', c, k, p } } })
        record({ e: 's', t: 'part', c, k, p })
        stats.parts++
      }
      record({ e: 'r', t: 'part', c, k })
      return { content: [{ type: 'text', text: `parts ${k}: ${count} by ${node}` }] }
    } finally {
      stats.inFlight--
      stats.partsInFlight--
    }
  })
}
