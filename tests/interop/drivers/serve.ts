/**
 * The stdio side of a foreign-client driver, run on Node 22 (the clients need
 * it) in its own process: one JSON command per line on stdin
 * (`{"id":1,"op":"connect"}`, `listTools`, `callTool` with `name`/`args`,
 * `close`), one JSON line per answer (`{"id":1,"ok":true,"value":…}` or
 * `{"id":1,"ok":false,"error":"…"}`) and per event the client surfaced
 * (`{"event":"notification"|"error","value":…}`) on stdout.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { pathToFileURL } from 'node:url'

export interface Adapter {
  connect(): Promise<unknown>
  listTools(): Promise<unknown>
  callTool(name: string, args: Record<string, unknown>): Promise<unknown>
  close(): Promise<void>
}

export type Emit = (event: 'notification' | 'error', value: unknown) => void

/** Imports a package's ESM entry from the client's install folder (MCPS_CLIENT_DIR), as an app that depends on it would. */
export async function importClient(name: string): Promise<any> {
  const dir = join(process.env.MCPS_CLIENT_DIR ?? '', 'node_modules', name)
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'))
  const entry = pkg.exports?.['.']?.import
  const file = typeof entry === 'string' ? entry : entry?.default ?? pkg.module ?? pkg.main
  return import(pathToFileURL(join(dir, file)).href)
}

const write = (line: unknown) => process.stdout.write(JSON.stringify(line) + '\n')
const message = (error: unknown) => (error instanceof Error ? `${error.name}: ${error.message}` : String(error))

/**
 * Serves an adapter over stdio until `close`.
 *
 * @example
 * await serve(emit => myAdapter(process.env.MCPS_SERVER_URL!, emit))
 */
export async function serve(build: (emit: Emit) => Promise<Adapter> | Adapter): Promise<void> {
  const adapter = await build((event, value) => write({ event, value: value instanceof Error ? message(value) : value }))
  for await (const line of createInterface({ input: process.stdin })) {
    if (!line.trim()) continue
    const { id, op, name, args } = JSON.parse(line) as { id: number; op: keyof Adapter; name?: string; args?: Record<string, unknown> }
    try {
      const value = op === 'callTool' ? await adapter.callTool(name!, args ?? {}) : await adapter[op]()
      write({ id, ok: true, value: value ?? null })
    } catch (error) {
      write({ id, ok: false, error: message(error) })
    }
    if (op === 'close') break
  }
  process.exit(0)
}
