/**
 * A process of SDK clients of one flavour (the SDK copy in `sdkDir`: a matrix
 * cell, plain or patched), driven by the fault scenario over IPC. Each client
 * runs its kind's workload (see `workloadOf`) against the balancer and records
 * what it received: tick sequence numbers, streamed parts per call, call
 * results and errors, and the GET requests its transport made.
 *
 * Messages: `start` (config) -> `ready`; `snapshot` -> `snapshot`; `stop` (no
 * new calls, wait for those in flight) -> `settled`; `close` -> exit.
 */
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { ClientKind, ClientSnapshot, WorkerConfig, WorkerMessage } from './protocol.js'
import { workloadOf } from './workload.js'

interface Sdk {
  Client: new (info: { name: string; version: string }, options: unknown) => SdkClient
  StreamableHTTPClientTransport: new (url: URL, options: unknown) => SdkTransport
  LoggingMessageNotificationSchema: unknown
}
interface SdkClient {
  connect(transport: SdkTransport): Promise<void>
  close(): Promise<void>
  callTool(params: unknown, schema?: unknown, options?: { timeout?: number }): Promise<unknown>
  setNotificationHandler(schema: unknown, handler: (n: { params: { data: unknown } }) => void): void
  onerror?: (error: Error) => void
}
interface SdkTransport {
  sessionId?: string
}

async function loadSdk(sdkDir: string): Promise<Sdk> {
  const load = (sub: string) => import(pathToFileURL(join(sdkDir, 'dist', 'esm', sub)).href)
  const [client, http, types] = await Promise.all([load('client/index.js'), load('client/streamableHttp.js'), load('types.js')])
  return { Client: client.Client, StreamableHTTPClientTransport: http.StreamableHTTPClientTransport, LoggingMessageNotificationSchema: types.LoggingMessageNotificationSchema }
}

/** A short, id-free reason for an error, so failures group in the report. */
function reason(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error)
  return text.replace(/[0-9a-f]{8}-[0-9a-f-]{27}/gi, '<id>').replace(/\d{3,}/g, 'N').slice(0, 120)
}

const count = (map: Record<string, number>, key: string) => void (map[key] = (map[key] ?? 0) + 1)

class RecordingClient {
  readonly snapshot: ClientSnapshot
  readonly #inFlight = new Set<Promise<unknown>>()
  /** Calls without an outcome yet, and how to write one down as failed. */
  readonly #pending = new Map<string, () => void>()
  #stopping = false
  #client!: SdkClient
  #transport!: SdkTransport

  constructor(readonly cid: string, readonly kind: ClientKind, readonly config: WorkerConfig) {
    this.snapshot = {
      cid, kind, sessions: [], ticks: { called: 0, ok: 0, failed: [], httpFailed: [] }, parts: { called: 0, ok: 0, failed: [], httpFailed: [] },
      errors: {}, clientErrors: {}, received: {}, receivedParts: {}, gets: { first: 0, freshAgain: 0, resumed: 0, statuses: {} }, getLog: [], posts: { statuses: {} }
    }
  }

  async connect(sdk: Sdk): Promise<void> {
    const { config, snapshot } = this
    const fetchCounting = async (url: string | URL, init?: RequestInit) => {
      const method = init?.method ?? 'GET'
      const headers = new Headers(init?.headers)
      if (method === 'GET') {
        if (headers.has('last-event-id')) snapshot.gets.resumed++
        else if (snapshot.gets.first === 0) snapshot.gets.first++
        else snapshot.gets.freshAgain++
      }
      const entry: [number, string, string] = [Date.now(), headers.get('last-event-id') ?? '', '-']
      if (method === 'GET') snapshot.getLog = [...snapshot.getLog.slice(-99), entry]
      const response = await fetch(url, init)
      entry[2] = String(response.status)
      count(method === 'GET' ? snapshot.gets.statuses : snapshot.posts.statuses, String(response.status))
      const session = response.headers.get('mcp-session-id')
      if (session && !snapshot.sessions.includes(session)) snapshot.sessions.push(session)
      return response
    }
    this.#transport = new sdk.StreamableHTTPClientTransport(new URL(config.url), {
      reconnectionOptions: config.reconnection,
      // Patched SDKs only (fix 1476-session-recovery); the published SDK ignores it.
      recoverSession: true,
      fetch: fetchCounting
    })
    this.#client = new sdk.Client({ name: `faults-${this.cid}`, version: '1.0.0' }, { capabilities: {} })
    this.#client.onerror = error => count(snapshot.clientErrors, reason(error))
    this.#client.setNotificationHandler(sdk.LoggingMessageNotificationSchema, notification => {
      const data = notification.params.data as { t?: string; c?: string; s?: number; k?: number; p?: number }
      if (data?.c !== this.cid) return
      if (data.t === 'tick') count(snapshot.received, String(data.s))
      if (data.t === 'part') count(snapshot.receivedParts, `${data.k}:${data.p}`)
    })
    await this.#client.connect(this.#transport)
  }

  /** Runs the kind's loops until `stop()`. */
  run(): void {
    const workload = workloadOf(this.kind, this.config.timeoutServerMs, this.config.seed + hash(this.cid))
    void this.#loop(workload.tickPauseMs, () => this.#tick())
    if (workload.parts) {
      const { count: parts, gapsMs, pauseMs } = workload.parts
      void this.#loop(pauseMs, () => this.#parts(parts, gapsMs))
    }
  }

  async #loop(pause: () => number, step: () => Promise<void>): Promise<void> {
    while (!this.#stopping) {
      const call = step()
      this.#inFlight.add(call)
      await call
      this.#inFlight.delete(call)
      if (!this.#stopping) await new Promise(resolve => setTimeout(resolve, pause()))
    }
  }

  async #tick(): Promise<void> {
    const s = ++this.snapshot.ticks.called
    await this.#call('tick', s, this.snapshot.ticks, { c: this.cid, s })
  }

  async #parts(parts: number, gapsMs: number[]): Promise<void> {
    const k = ++this.snapshot.parts.called
    await this.#call('parts', k, this.snapshot.parts, { c: this.cid, k, count: parts, gapsMs })
  }

  /** One call; after `stop()` gave up waiting, its outcome is already written down as failed. */
  async #call(name: 'tick' | 'parts', n: number, record: ClientSnapshot['ticks'], args: Record<string, unknown>): Promise<void> {
    const key = `${name}:${n}`
    this.#pending.set(key, () => record.failed.push(n))
    try {
      await this.#client.callTool({ name, arguments: args }, undefined, { timeout: this.config.callTimeoutMs })
      if (this.#pending.delete(key)) record.ok++
    } catch (error) {
      if (this.#pending.delete(key)) {
        record.failed.push(n)
        // The SDK's StreamableHTTPError carries the HTTP status as `code` (JSON-RPC codes are negative).
        const status = (error as { code?: unknown }).code
        if (typeof status === 'number' && status >= 400) record.httpFailed.push(n)
        count(this.snapshot.errors, `${name}: ${reason(error)}`)
      }
    }
  }

  async stop(ms: number): Promise<void> {
    this.#stopping = true
    let timer: ReturnType<typeof setTimeout> | undefined
    await Promise.race([Promise.allSettled([...this.#inFlight]), new Promise(resolve => (timer = setTimeout(resolve, ms)))])
    clearTimeout(timer)
    for (const [key, fail] of this.#pending) {
      fail()
      count(this.snapshot.errors, `${key.split(':')[0]}: no answer when the run ended`)
    }
    this.#pending.clear()
  }

  async close(): Promise<void> {
    await this.#client.close().catch(() => {})
  }
}

function hash(text: string): number {
  let h = 0
  for (const ch of text) h = (h * 31 + ch.charCodeAt(0)) | 0
  return h >>> 0
}

let clients: RecordingClient[] = []
const send = (message: WorkerMessage) => process.send!(message)

process.on('message', (message: WorkerMessage) => {
  void (async () => {
    if (message.type === 'start') {
      const sdk = await loadSdk(message.config.sdkDir)
      clients = message.config.clients.map(plan => new RecordingClient(plan.cid, plan.kind, message.config))
      await Promise.all(clients.map(c => c.connect(sdk)))
      for (const c of clients) c.run()
      send({ type: 'ready' })
    } else if (message.type === 'snapshot') {
      send({ type: 'snapshot', clients: clients.map(c => c.snapshot) })
    } else if (message.type === 'stop') {
      await Promise.all(clients.map(c => c.stop(message.ms)))
      send({ type: 'settled' })
    } else if (message.type === 'close') {
      await Promise.all(clients.map(c => c.close()))
      process.exit(0)
    }
  })().catch(error => {
    send({ type: 'failed', error: String(error instanceof Error ? error.stack : error) })
  })
})
// The parent went away: nothing will ever stop these clients.
process.on('disconnect', () => process.exit(1))
