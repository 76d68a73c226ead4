/**
 * One interface over the foreign clients, each in its own Node 22 process:
 * the line-JSON drivers of tests/interop/drivers/ (for client libraries), and
 * mcp-remote driven as an MCP stdio server (its proxy mode: JSON-RPC in on
 * stdin, out on stdout, the HTTP side towards our server).
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { inject } from 'vitest'
import { SDK_V1_CLIENTS, type ForeignClient, type SdkV1Client } from '../pins.js'

export type Outcome = { ok: true; value: unknown } | { ok: false; error: string }

export interface ClientDriver {
  connect(): Promise<Outcome>
  listTools(): Promise<Outcome>
  callTool(name: string, args?: Record<string, unknown>): Promise<Outcome>
  /** Notification payloads the client handed to the app. */
  notifications: unknown[]
  /** Errors the client reported outside a call (error callbacks, log lines). */
  errors: string[]
  close(): Promise<void>
}

type Register = (cleanup: () => Promise<void>) => void
const TIMEOUT = { ok: false, error: 'no answer within 15 s' } as const

function spawnNode22(args: string[], env: Record<string, string>, register: Register): ChildProcess {
  const child = spawn(inject('interop').node22, args, { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, ...env } })
  register(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  })
  return child
}

/** How long a client's first request may take: it includes starting the client's process under Node 22. */
const STARTUP_MS = 40_000

/** Answers matched to requests by id, with a bound on every wait. */
function pending() {
  const waiting = new Map<number | string, (o: Outcome) => void>()
  let next = 1
  return {
    /** `ms`: the first request of a client also waits for its process to start (slow on a busy machine). */
    ask(send: (id: number) => void, ms = 15_000): Promise<Outcome> {
      const id = next++
      return new Promise(resolve => {
        const timer = setTimeout(() => resolve(TIMEOUT), ms)
        waiting.set(id, o => {
          clearTimeout(timer)
          resolve(o)
        })
        send(id)
      })
    },
    answer(id: number | string, outcome: Outcome) {
      waiting.get(id)?.(outcome)
      waiting.delete(id)
    }
  }
}

/** Clients driven as a library from tests/interop/drivers/. */
export type LibraryClient = Exclude<ForeignClient, 'mcp-remote' | 'inspector-cli'> | SdkV1Client

/** The driver script of a library client and what it needs in its environment. */
function driverOf(client: LibraryClient): { script: string; env: Record<string, string> } {
  if (client in SDK_V1_CLIENTS) {
    const { flavor } = SDK_V1_CLIENTS[client as SdkV1Client]
    return { script: 'sdk-v1.ts', env: { MCPS_CLIENT_DIR: inject('interop').sdkV1[flavor], MCPS_RECOVER_SESSION: flavor === 'patched' ? '1' : '0' } }
  }
  return { script: `${client}.ts`, env: { MCPS_CLIENT_DIR: inject('interop').clients[client as ForeignClient] } }
}

/**
 * A client library behind tests/interop/drivers/.
 *
 * @example
 * const client = startLibraryDriver('ai-sdk-mcp', proxy.url, onTestFinished)
 */
export function startLibraryDriver(client: LibraryClient, url: string, register: Register): ClientDriver {
  const { script, env } = driverOf(client)
  const child = spawnNode22(['--import', import.meta.resolve('tsx'), join(import.meta.dirname, '..', 'drivers', script)], { ...env, MCPS_SERVER_URL: url }, register)
  const calls = pending()
  const driver: ClientDriver = {
    notifications: [],
    errors: [],
    connect: () => calls.ask(id => child.stdin!.write(JSON.stringify({ id, op: 'connect' }) + '\n'), STARTUP_MS),
    listTools: () => calls.ask(id => child.stdin!.write(JSON.stringify({ id, op: 'listTools' }) + '\n')),
    callTool: (name, args = {}) => calls.ask(id => child.stdin!.write(JSON.stringify({ id, op: 'callTool', name, args }) + '\n')),
    close: async () => void (await calls.ask(id => child.stdin!.write(JSON.stringify({ id, op: 'close' }) + '\n')))
  }
  createInterface({ input: child.stdout! }).on('line', line => {
    const m = JSON.parse(line) as { id?: number; ok?: boolean; value?: unknown; error?: string; event?: string }
    if (m.event === 'notification') driver.notifications.push(m.value)
    else if (m.event === 'error') driver.errors.push(String(m.value))
    else if (m.id !== undefined) calls.answer(m.id, m.ok ? { ok: true, value: m.value } : { ok: false, error: m.error ?? '' })
  })
  createInterface({ input: child.stderr! }).on('line', line => void driver.errors.push(`stderr: ${line}`))
  return driver
}

/**
 * mcp-remote in proxy mode: we are the stdio MCP client, it is the HTTP
 * client of our server. Its own log goes to stderr (kept in `errors`).
 *
 * @example
 * const remote = startMcpRemote(proxy.url, onTestFinished)
 */
export function startMcpRemote(url: string, register: Register): ClientDriver {
  const config = mkdtempSync(join(tmpdir(), 'mcps-mcp-remote-'))
  register(async () => rmSync(config, { recursive: true, force: true }))
  const proxy = join(inject('interop').clients['mcp-remote'], 'node_modules', 'mcp-remote', 'dist', 'proxy.js')
  const child = spawnNode22([proxy, url, '--transport', 'http-only', '--allow-http'], { MCP_REMOTE_CONFIG_DIR: config }, register)
  const calls = pending()
  const rpc = (method: string, params: unknown, ms?: number) => calls.ask(id => child.stdin!.write(JSON.stringify({ jsonrpc: '2.0', id, method, params }) + '\n'), ms)
  const driver: ClientDriver = {
    notifications: [],
    errors: [],
    connect: async () => {
      const r = await rpc('initialize', { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'interop-stdio-host', version: '1.0.0' } }, STARTUP_MS)
      child.stdin!.write(JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }) + '\n')
      return r
    },
    listTools: async () => {
      const r = await rpc('tools/list', {})
      return r.ok ? { ok: true, value: (r.value as { tools: Array<{ name: string }> }).tools.map(t => t.name) } : r
    },
    callTool: (name, args = {}) => rpc('tools/call', { name, arguments: args }),
    close: async () => {
      child.stdin!.end()
    }
  }
  createInterface({ input: child.stdout! }).on('line', line => {
    let m: { id?: number; method?: string; params?: { data?: unknown }; result?: unknown; error?: { message: string } }
    try {
      m = JSON.parse(line)
    } catch {
      return
    }
    if (m.method === 'notifications/message') driver.notifications.push(m.params?.data)
    else if (m.id !== undefined) calls.answer(m.id, m.error ? { ok: false, error: m.error.message } : { ok: true, value: m.result })
  })
  createInterface({ input: child.stderr! }).on('line', line => void driver.errors.push(line))
  return driver
}
