import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'

const script = join(import.meta.dirname, 'rotate.lua')

/** Which tools/call the load sends: `echo`, or `stream` (`slow`: 3 related messages, then the result). */
export type Call = 'echo' | 'stream'

/** One wrk run, as rotate.lua's done() reports it. */
export interface LoadResult {
  requests: number
  seconds: number
  rps: number
  p50Ms: number
  p99Ms: number
  /** Socket errors, timeouts and HTTP statuses >= 400. */
  errors: number
  /** 2xx answers without a JSON-RPC result (only counted with `check`). */
  bad: number
}

/**
 * Writes the session ids wrk rotates over (one a line).
 *
 * @example
 * writeIds(file, server.sessions)
 */
export function writeIds(file: string, ids: readonly string[]): void {
  writeFileSync(file, ids.length > 0 ? `${ids.join('\n')}\n` : 'none\n')
}

/**
 * Runs wrk 4 (Debian) with one thread and `connections` keep-alive connections against
 * `http://127.0.0.1:<port>/mcp` for `seconds`, rotating over the ids in `idsFile`.
 *
 * @example
 * const result = await runWrk({ port, idsFile, seconds: 5, connections: 10, call: 'echo', check: true })
 */
export async function runWrk(options: { port: number; idsFile: string; seconds: number; connections: number; call: Call; check: boolean }): Promise<LoadResult> {
  const args = ['-t1', `-c${options.connections}`, `-d${options.seconds}s`, '--timeout', '10s', '-s', script,
    `http://127.0.0.1:${options.port}/mcp`, '--', options.idsFile, options.call, options.check ? 'check' : 'nocheck']
  const child = spawn('wrk', args, { stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  let err = ''
  child.stdout.on('data', chunk => (out += chunk))
  child.stderr.on('data', chunk => (err += chunk))
  const [code] = await Promise.race([
    once(child, 'exit'),
    once(child, 'error').then(([error]) => {
      throw new Error(`[mcp-sessions] Failed to run wrk: ${(error as Error).message}. Install it (Debian/Ubuntu: apt-get install wrk).`)
    })
  ])
  const line = out.split('\n').find(l => l.startsWith('{"wrk":'))
  if (code !== 0 || !line) throw new Error(`[mcp-sessions] Failed to run wrk (exit ${code}): ${err.trim() || out.trim()}`)
  const r = JSON.parse(line) as Record<string, number>
  const seconds = r.durationUs! / 1e6
  return {
    requests: r.requests!,
    seconds,
    rps: r.requests! / seconds,
    p50Ms: r.p50Us! / 1000,
    p99Ms: r.p99Us! / 1000,
    errors: r.connect! + r.read! + r.write! + r.status! + r.timeout!,
    bad: r.bad!
  }
}
