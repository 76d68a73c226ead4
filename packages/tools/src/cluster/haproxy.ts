/**
 * A real haproxy (the Debian package) in front of cluster nodes, the way a
 * cloud L7 balancer sits in front of a deployment: per-request round-robin
 * with no stickiness, server connections shared by all clients
 * (`http-reuse always`), and an idle `timeout server` that cuts quiet SSE
 * streams. Used by the fault suite and its long form; other suites import it
 * through tests/helpers/haproxy.ts.
 *
 * How a failed node leaves the pool, as in production (no test hook needed):
 * - health checks: `GET /stats` every `checkIntervalMs`, DOWN after 2 failures,
 *   UP after 2 successes. A SIGSTOPped node still completes TCP handshakes
 *   (the kernel's backlog), so only the check's timeout notices it;
 * - `retries 3` + `option redispatch 1`: a refused connection (a killed node)
 *   is retried on another server at once, before any check has run. Only
 *   connection failures are retried: a request a node has received is never
 *   sent twice (POSTs are not idempotent);
 * - the runtime API (`setServer`, a unix socket in the temp dir) puts a server
 *   in maintenance or drain, as a deploy script does before stopping a node.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { EventEmitter, once } from 'node:events'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort } from './processes.js'

export interface HaproxyBackend {
  name: string
  port: number
}

export interface HaproxyOptions {
  /** Idle time after which haproxy cuts a response that sends nothing (an SSE stream). Default 3_000. */
  timeoutServerMs?: number
  /** `timeout client`. Default 60_000. */
  timeoutClientMs?: number
  /** `option http-no-delay`: forward each SSE event at once instead of holding it ~200 ms. Default true. */
  noDelay?: boolean
  /** Health check interval per server. Default 500. */
  checkIntervalMs?: number
  /** Keep every log line (one per finished request) in `log`. Default true. */
  keepLog?: boolean
  /** Extra lines for the `defaults` section (e.g. `timeout tunnel 1h`). */
  extraDefaults?: string[]
  /** Bounded start-up. Default 10_000. */
  timeoutMs?: number
}

/** One finished request, from haproxy's log. */
export interface HaproxyLogEntry {
  /** Backend server name, or `<NOSRV>`. */
  server: string
  status: number
  /**
   * haproxy's termination state: first letter who ended it (`s` server
   * timeout, `S` server error, `C`/`c` client), second at which phase
   * (`D` data), `----` a normal end. An SSE stream cut by `timeout server` is `sD`.
   */
  termination: string
  totalMs: number
  method: string
  lastEventId: string | undefined
  sessionId: string | undefined
}

export interface Haproxy {
  port: number
  url: string
  pid: number
  child: ChildProcess
  /** Every finished request (when `keepLog`). */
  log: HaproxyLogEntry[]
  /** Emits `request` with each {@link HaproxyLogEntry}. */
  events: EventEmitter
  /** Sends one runtime API command and resolves with the answer. */
  command(line: string): Promise<string>
  /** `ready`, `drain` (no new requests, existing ones finish) or `maint` (out of the pool). */
  setServer(name: string, state: 'ready' | 'drain' | 'maint'): Promise<void>
  /** Each server's status from `show stat`: `UP`, `DOWN`, `MAINT`, `DRAIN`, `UP 1/2`, ... */
  serverStates(): Promise<Record<string, string>>
  /** Resolves once `name`'s status starts with `status` (checks ran); rejects after `ms`. */
  waitForServer(name: string, status: 'UP' | 'DOWN' | 'MAINT', ms?: number): Promise<void>
  /** SIGTERM its own PID (SIGKILL after 2 s) and removes the temp dir. */
  stop(): Promise<void>
}

/**
 * The generated configuration: a `global` section for the harness (log to
 * stdout, the runtime API socket), then {@link haproxyProxySections}.
 *
 * @example
 * writeFileSync('haproxy.cfg', haproxyConfig(8080, [{ name: 'node-0', port: 4001 }], '/tmp/admin.sock', { noDelay: true }))
 */
export function haproxyConfig(port: number, backends: HaproxyBackend[], socket: string, options: HaproxyOptions = {}): string {
  return [
    'global',
    '  log stdout format raw local0 info',
    `  stats socket ${socket} mode 600 level admin`,
    '  stats timeout 5s',
    '  nbthread 1',
    '  maxconn 4000',
    ...haproxyProxySections(port, backends, options),
    ''
  ].join('\n')
}

/**
 * The `defaults`, `frontend` and `backend` sections, one line each: what the
 * README's deployment section shows (tests/faults/deployment-docs.test.ts
 * checks it is this text).
 *
 * @example
 * console.log(haproxyProxySections(8080, [{ name: 'node-0', port: 3001 }], { timeoutServerMs: 30_000 }).join('\n'))
 */
export function haproxyProxySections(port: number, backends: HaproxyBackend[], options: HaproxyOptions = {}): string[] {
  const timeoutServer = options.timeoutServerMs ?? 3_000
  const inter = options.checkIntervalMs ?? 500
  return [
    'defaults',
    '  mode http',
    '  log global',
    '  timeout connect 1s',
    `  timeout client ${formatMs(options.timeoutClientMs ?? 60_000)}`,
    `  timeout server ${formatMs(timeoutServer)}`,
    '  timeout http-request 10s',
    '  timeout queue 2s',
    `  timeout check ${formatMs(Math.max(200, Math.floor(inter * 0.8)))}`,
    '  retries 3',
    '  option redispatch 1',
    '  http-reuse always',
    ...(options.noDelay ?? true ? ['  option http-no-delay'] : []),
    ...(options.extraDefaults ?? []).map(line => `  ${line}`),
    'frontend mcp',
    `  bind 127.0.0.1:${port}`,
    '  capture request header Last-Event-ID len 160',
    '  capture request header Mcp-Session-Id len 100',
    '  log-format "%s %ST %tsc %Ta %HM %hr"',
    '  default_backend nodes',
    'backend nodes',
    '  balance roundrobin',
    '  option httpchk',
    '  http-check send meth GET uri /stats',
    `  default-server check inter ${formatMs(inter)} fall 2 rise 2`,
    ...backends.map(b => `  server ${b.name} 127.0.0.1:${b.port}`)
  ]
}

/** haproxy time: whole seconds as `30s`, anything else in ms. */
const formatMs = (ms: number) => ms % 1_000 === 0 ? `${ms / 1_000}s` : `${ms}ms`

/**
 * Starts haproxy in the foreground (`-db`, so its PID is the proxy itself) on
 * a free loopback port with a generated config in a temp dir.
 *
 * @example
 * const proxy = await startHaproxy([{ name: 'node-0', port: 4001 }, { name: 'node-1', port: 4002 }], { timeoutServerMs: 3_000 })
 * await proxy.setServer('node-1', 'maint')
 * await proxy.stop()
 */
export async function startHaproxy(backends: HaproxyBackend[], options: HaproxyOptions = {}): Promise<Haproxy> {
  const dir = mkdtempSync(join(tmpdir(), 'mcps-haproxy-'))
  try {
    // Bounded: another process may take the free port between our probe and haproxy's bind.
    for (let attempt = 1; ; attempt++) {
      const started = await startOnce(dir, await freePort(), backends, options).catch(error => error as Error)
      if (!(started instanceof Error)) return started
      if (attempt >= 3 || !/cannot bind|Address already in use/i.test(started.message)) throw started
    }
  } catch (error) {
    rmSync(dir, { recursive: true, force: true })
    throw error
  }
}

/** `HAPROXY`, else Debian's /usr/sbin/haproxy (often not on a non-root PATH), else whatever PATH finds. */
const binary = () => process.env.HAPROXY ?? (existsSync('/usr/sbin/haproxy') ? '/usr/sbin/haproxy' : 'haproxy')

async function startOnce(dir: string, port: number, backends: HaproxyBackend[], options: HaproxyOptions): Promise<Haproxy> {
  const socket = join(dir, 'admin.sock')
  const file = join(dir, 'haproxy.cfg')
  writeFileSync(file, haproxyConfig(port, backends, socket, options))
  const checked = spawnSync(binary(), ['-c', '-q', '-f', file], { encoding: 'utf8' })
  if (checked.error) {
    throw Object.assign(new Error(`[mcp-sessions] Failed to start haproxy: ${checked.error.message}. Install it (Debian/Ubuntu: apt-get install haproxy).`), { code: 'MCPS_HAPROXY_MISSING' })
  }
  if (checked.status !== 0) throw new Error(`[mcp-sessions] Failed to start haproxy: the generated config is invalid: ${checked.stderr.trim()}`)
  const child = spawn(binary(), ['-db', '-f', file], { stdio: ['ignore', 'pipe', 'pipe'] })
  const exited = once(child, 'exit')
  const { log, events, stderr } = readOutput(child, options.keepLog ?? true)
  const command = (line: string) => runtimeCommand(socket, line)
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const timer = setTimeout(() => child.kill('SIGKILL'), 2_000)
      child.kill('SIGTERM')
      await exited
      clearTimeout(timer)
    }
    rmSync(dir, { recursive: true, force: true })
  }
  const ms = options.timeoutMs ?? 10_000
  const deadline = Date.now() + ms
  for (let attempt = 1; !(await command('show info').then(() => true, () => false)); attempt++) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`[mcp-sessions] Failed to start haproxy: it exited (${child.exitCode ?? child.signalCode}): ${stderr().trim()}`)
    }
    if (Date.now() > deadline) {
      await stop()
      throw new Error(`[mcp-sessions] Failed to start haproxy: its runtime socket did not answer within ${ms} ms: ${stderr().trim()}`)
    }
    await new Promise(resolve => setTimeout(resolve, Math.min(20 * attempt, 200)))
  }
  const serverStates = async () => parseStates(await command('show stat'))
  return {
    port,
    url: `http://127.0.0.1:${port}/mcp`,
    pid: child.pid!,
    child,
    log,
    events,
    command,
    setServer: async (name, state) => {
      const answer = await command(`set server nodes/${name} state ${state}`)
      if (answer.trim()) throw new Error(`[mcp-sessions] Failed to set haproxy server ${name} to ${state}: ${answer.trim()}`)
    },
    serverStates,
    waitForServer: async (name, status, ms = 10_000) => {
      const until = Date.now() + ms
      for (;;) {
        const state = (await serverStates())[name]
        if (state?.startsWith(status) && !/\d\/\d/.test(state)) return
        if (Date.now() > until) throw new Error(`[mcp-sessions] haproxy server ${name} is "${state}", not ${status}, after ${ms} ms`)
        await new Promise(resolve => setTimeout(resolve, 50))
      }
    },
    stop
  }
}

/** Parses haproxy's log lines from stdout as they come; keeps the tail of stderr for error messages. */
function readOutput(child: ChildProcess, keepLog: boolean) {
  const events = new EventEmitter()
  const log: HaproxyLogEntry[] = []
  let stderr = ''
  child.stderr!.on('data', (chunk: Buffer) => void (stderr = (stderr + chunk.toString()).slice(-4_000)))
  let pending = ''
  child.stdout!.on('data', (chunk: Buffer) => {
    pending += chunk.toString()
    const lines = pending.split('\n')
    pending = lines.pop()!
    for (const line of lines) {
      const entry = parseLogLine(line)
      if (!entry) continue
      if (keepLog) log.push(entry)
      events.emit('request', entry)
    }
  })
  return { log, events, stderr: () => stderr }
}

/** One command on the runtime API socket; haproxy answers and closes (non-interactive mode). */
function runtimeCommand(socket: string, line: string, timeoutMs = 3_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const conn = connect(socket)
    let answer = ''
    conn.setTimeout(timeoutMs, () => conn.destroy(new Error(`haproxy runtime API: no answer to "${line}" within ${timeoutMs} ms`)))
    conn.on('connect', () => conn.write(`${line}\n`))
    conn.on('data', chunk => void (answer += chunk.toString()))
    conn.on('error', reject)
    conn.on('close', () => resolve(answer))
  })
}

function parseStates(csv: string): Record<string, string> {
  const [head, ...rows] = csv.split('\n').filter(Boolean)
  const columns = (head ?? '').replace(/^# /, '').split(',')
  const name = columns.indexOf('svname')
  const status = columns.indexOf('status')
  const states: Record<string, string> = {}
  for (const row of rows) {
    const cells = row.split(',')
    if (cells[0] === 'nodes' && cells[name] !== 'BACKEND') states[cells[name]!] = cells[status]!
  }
  return states
}

/** Parses `%s %ST %tsc %Ta %HM %hr`, e.g. `node-1 200 sD-- 3004 GET {lei|sid}`. */
function parseLogLine(line: string): HaproxyLogEntry | undefined {
  const m = /^(\S+) (-?\d+) (\S{4}) (-?\d+) (\S+) \{([^|}]*)\|([^}]*)\}$/.exec(line.trim())
  if (!m) return undefined
  return {
    server: m[1]!,
    status: Number(m[2]),
    termination: m[3]!,
    totalMs: Number(m[4]),
    method: m[5]!,
    lastEventId: m[6] || undefined,
    sessionId: m[7] || undefined
  }
}
