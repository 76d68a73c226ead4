/**
 * The session story every foreign client goes through against the manager:
 * initialize, tools/list, tools/call, a notification on the GET stream, the
 * server ending the session, then two more calls. What the SERVER sends is
 * asserted (from the recording proxy); what the CLIENT does with it is only
 * recorded, for the README's compatibility table.
 */
import { describe, expect, it, onTestFinished } from 'vitest'
import { NODE_LINE, SESSION_CLIENTS, type SessionClient } from '../pins.js'
import type { ClientDriver, Outcome } from './client-driver.js'
import { startInteropServer } from './interop-server.js'
import { label, rpcError, type Exchange, type RecordingProxy } from './recording-proxy.js'
import { recordClient, type ClientStep } from './report.js'

export interface ScenarioRun {
  steps: ClientStep[]
  sessionId: string
  /** The GET stream was open and the notification reached the app. */
  notified: boolean
  getStream: boolean
  /** Outcomes of the two calls after the server ended the session. */
  after: [Outcome, Outcome]
  /** A new session was created after the old one ended. */
  reinitialized: boolean
  /** What the client reported instead of delivering the notification, if anything. */
  notifyError?: string
  /** Every exchange as `METHOD label -> status code`, in order (the record's evidence). */
  wire: string[]
  /** Server answers to the two calls after the end: status and data.code. */
  afterServer: [string, string]
  /** Server answers to the client's resumptions of the ended session's GET stream under a new session id. */
  resumes: string[]
  /** GET requests after the end that still carry the ended session's id (each answered 404). */
  staleGets: number
}

type Hook = (path: '/test/notify' | '/test/close', session: string) => Promise<number>

const describeServer = (e: Exchange | undefined) => {
  if (!e) return 'no request reached the server'
  const error = rpcError(e)
  const type = String(e.headers?.['content-type'] ?? '').split(';')[0]
  return `${label(e)} -> ${e.status ?? '?'} ${type}${error ? ` ${error.code} ${error.data?.code ?? ''}`.trimEnd() : ''}`
}
const describeClient = (o: Outcome) => (o.ok ? `ok ${JSON.stringify(o.value).slice(0, 120)}` : `error: ${o.error.slice(0, 200)}`)

async function until(condition: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms
  while (!condition() && Date.now() < deadline) await new Promise(resolve => setTimeout(resolve, 25))
  return condition()
}

/** Resolves once `from` has passed and no request reached the proxy for `quietMs`, or at `until` (epoch ms). */
async function quiet(proxy: RecordingProxy, from: number, quietMs: number, until: number): Promise<void> {
  let seen = proxy.log.length
  let since = Date.now()
  while (Date.now() < until) {
    if (proxy.log.length !== seen) [seen, since] = [proxy.log.length, Date.now()]
    if (Date.now() >= from && Date.now() - since >= quietMs) return
    await new Promise(resolve => setTimeout(resolve, 50))
  }
}

const posts = (proxy: RecordingProxy, method: string) => proxy.log.filter(e => e.method === 'POST' && label(e) === method)

/**
 * Runs the story and asserts the server's side of it.
 *
 * @example
 * const run = await runSessionScenario(client, proxy, hook)
 */
export async function runSessionScenario(client: ClientDriver, proxy: RecordingProxy, hook: Hook): Promise<ScenarioRun> {
  const steps: ClientStep[] = []
  const endpoint = new URL(proxy.url).pathname
  const step = (name: string, server: Exchange | undefined, outcome: Outcome) => steps.push({ step: name, server: describeServer(server), client: describeClient(outcome), ok: outcome.ok })

  const connected = await client.connect()
  const listed = await client.listTools()
  // The session the client works in is the one its tools/list carries (mcp-remote, for one, initializes twice).
  const list = posts(proxy, 'tools/list')[0]
  const sessionId = list?.sessionId ?? ''
  const init = posts(proxy, 'initialize').find(e => e.headers?.['mcp-session-id'] === sessionId)
  step('initialize', init, connected)
  step('tools/list', list, listed)
  expect(init?.status, 'initialize answered with the session the client uses').toBe(200)
  expect(sessionId).toMatch(/^[\x21-\x7e]{16,}$/)
  expect(String(init!.headers?.['content-type'])).toContain('text/event-stream')
  expect(list?.status).toBe(200)

  const called = await client.callTool('test_simple_text')
  step('tools/call', posts(proxy, 'tools/call')[0], called)
  expect(posts(proxy, 'tools/call')[0]?.status).toBe(200)

  const get = await proxy.waitFor(e => e.method === 'GET' && e.sessionId === sessionId && e.status !== undefined, 3_000)
  const getStream = get?.status === 200
  if (get) expect(String(get.headers?.['content-type']), 'a GET the server accepts is an SSE stream').toContain(getStream ? 'text/event-stream' : 'application/json')
  const errorsBefore = client.errors.length
  expect(await hook('/test/notify', sessionId)).toBe(200)
  // On the session's open GET stream: the first one, or a newer one of the same session that took it over (a client may
  // reopen its stream, and the server keeps one per session).
  const sentOnGet = () => proxy.log.some(e => e.method === 'GET' && e.sessionId === sessionId && e.text.includes('interop notification'))
  if (getStream) expect(await until(sentOnGet, 5_000), `the server sends the notification on the open GET stream\n${proxy.log.map(e => `${e.method} ${describeServer(e)}`).join('\n')}`).toBe(true)
  const notified = await until(() => client.notifications.length > 0, getStream ? 2_000 : 200)
  const notifyError = notified ? undefined : client.errors.slice(errorsBefore).find(e => !e.startsWith('stderr:'))?.slice(0, 80)
  steps.push({ step: 'notification on the GET stream', server: get ? describeServer(get) + (getStream ? ', notification event sent' : '') : 'the client opened no GET stream', client: notified ? `delivered: ${JSON.stringify(client.notifications[0])}` : `not delivered${client.errors.length ? `; client reported: ${client.errors.slice(-1)[0]!.slice(0, 160)}` : ''}`, ok: notified })

  expect(await hook('/test/close', sessionId), 'manager.close(id) ends a live session').toBe(200)
  const closedAt = Date.now()
  const mark = proxy.log.length
  const after1 = await client.callTool('test_simple_text')
  const first = proxy.log.slice(mark).find(e => e.sessionId === sessionId)
  step('tools/call after the server ended the session', first, after1)
  const after2 = await client.callTool('test_simple_text')
  step('the next tools/call', proxy.log.slice(mark).filter(e => e.method === 'POST' && label(e) === 'tools/call').at(-1), after2)

  // A client may ask for the ended session's GET stream again once the server's `retry` has passed, and again a
  // `retry` later (the SDK transports do, twice): watch three `retry` periods, then until it is quiet.
  const retryMs = Number(/^retry: ?(\d+)/m.exec(get?.text ?? '')?.[1] ?? 1_000)
  await quiet(proxy, closedAt + 3 * retryMs, retryMs + 1_000, closedAt + 15_000)
  await until(() => proxy.log.every(e => e.done || e.method === 'GET'), 2_000)
  const wire = proxy.log.map(e => `${e.path === endpoint ? '' : `${e.path} `}${describeServer(e)}${e.sessionId === undefined ? ' (no session id)' : e.sessionId === sessionId ? '' : ' (new session)'}${e.lastEventId ? ` Last-Event-ID ${e.lastEventId}` : ''}`)
  const stale = proxy.log.slice(mark).filter(e => e.sessionId === sessionId && e.status !== undefined)
  for (const e of stale) {
    expect(e.status, `${label(e)} with the ended session's id`).toBe(404)
    expect(rpcError(e)?.code).toBe(-32001)
    expect(rpcError(e)?.data?.code).toBe('MCPS_SESSION_NOT_FOUND')
  }
  const reinit = proxy.log.slice(mark).filter(e => label(e) === 'initialize')
  for (const e of reinit) expect(e.headers?.['mcp-session-id'], 'a new initialize gets a new session').not.toBe(sessionId)
  // Other paths (a client probing OAuth metadata) are the fixture's plain 404s, not the manager's answers.
  for (const e of proxy.log.filter(e => e.status !== undefined && e.path === endpoint)) {
    expect(e.status! < 500, `${label(e)} -> ${e.status}: a client's request never gets a server fault\n${wire.join('\n')}`).toBe(true)
    if (e.status! >= 400) expect(String(rpcError(e)?.data?.code), `${label(e)} -> ${e.status} names a stable code\n${wire.join('\n')}`).toMatch(/^MCPS_/)
  }
  const extra = proxy.log.slice(mark).filter(e => e.sessionId !== sessionId && e.method === 'GET')
  for (const e of extra) steps.push({ step: 'GET after re-initializing', server: `${describeServer(e)}${e.lastEventId ? ` (Last-Event-ID ${e.lastEventId})` : ''}`, client: e.lastEventId ? 'resumes a stream with Last-Event-ID' : 'opens a GET stream', ok: e.status === 200 })
  const answer = (e: Exchange | undefined) => (e ? `${e.status} ${rpcError(e)?.data?.code ?? ''}`.trim() : 'none')
  // The ended session's stream resumed under another session: replaying it would hand one session's events to another.
  const endedIds = new Set([...(get?.text ?? '').matchAll(/^id: ?(\S+)/gm)].map(m => m[1]))
  const resumes = extra.filter(e => e.lastEventId !== undefined && endedIds.has(e.lastEventId) && e.status !== undefined)
  for (const e of resumes) expect(e.status, `GET with the ended stream's Last-Event-ID ${e.lastEventId} under another session\n${wire.join('\n')}`).toBe(400)
  const calls = proxy.log.slice(mark).filter(e => label(e) === 'tools/call')
  return { steps, sessionId, notified, notifyError, getStream, after: [after1, after2], reinitialized: reinit.some(e => e.status === 200), wire, afterServer: [answer(calls[0]), answer(calls.at(-1))], resumes: resumes.map(answer), staleGets: stale.filter(e => e.method === 'GET').length }
}

/**
 * The table's verdicts from a run, and the client-side quirks worth a note.
 *
 * @example
 * const { works, onExpiry, notes } = verdicts(run)
 */
export function verdicts(run: ScenarioRun): { works: string; onExpiry: string; notes?: string[] } {
  const basics = run.steps.slice(0, 3).every(s => s.ok) ? 'initialize, tools/list, tools/call' : `fails at ${run.steps.find(s => !s.ok)?.step}`
  const notes = run.getStream
    ? run.notified ? 'GET-stream notifications delivered' : `GET stream open, notifications not delivered to the app${run.notifyError ? ` (the client reports "${run.notifyError}")` : ''}`
    : 'no GET stream (no server notifications)'
  const [a, b] = run.after
  const short = (o: Outcome) => (o.ok ? '' : o.error.replace(/\s+/g, ' ').slice(0, 60))
  const onExpiry = a.ok
    ? run.reinitialized ? 'recovers by itself: re-initializes and retries the call' : 'the call succeeds without a new session'
    : b.ok
      ? `the first call fails (${short(a)}), the next one re-initializes: the app retries once`
      : run.afterServer[1].includes('MCPS_SESSION_ID_REQUIRED')
        ? 'the 404 surfaces as an error and the client drops the session id; later calls go without one (400): the app must create a new client'
        : `404 on every later call (\`${run.afterServer[1]}\`): the app must create a new client`
  // How often a client retries depends on timing; what it does and what it gets does not, and that is what the table says.
  const answers = [...new Set(run.resumes)].map(r => r.replace(/ (\S+)$/, ' `$1`')).join(' or ')
  const resumed = answers ? [`after re-initializing it resumes the ended session's GET stream (its old \`Last-Event-ID\`, the new session's id) and gets ${answers}: the server does not replay one session's events to another`] : []
  const stale = run.staleGets ? ["after the end it asks for the ended session's GET stream again, with that session's id, and gets 404 `MCPS_SESSION_NOT_FOUND`"] : []
  const quirks = [...stale, ...resumed]
  return { works: `${basics}; ${notes}`, onExpiry, ...(quirks.length ? { notes: quirks } : {}) }
}

/**
 * Declares the session-story test of one client and records its run.
 *
 * @example
 * describeSessionStory('ai-sdk-mcp', url => startLibraryDriver('ai-sdk-mcp', url, onTestFinished))
 */
export function describeSessionStory(key: SessionClient, start: (url: string) => ClientDriver): void {
  const { name, version, variant } = SESSION_CLIENTS[key]
  describe(`${name} ${version}${variant ? ` ${variant}` : ''}`, () => {
    it("gets the manager's answers through a whole session, its end and the calls after it", async () => {
      const { proxy, hook } = await startInteropServer()
      const client = start(proxy.url)
      onTestFinished(() => client.close())
      const run = await runSessionScenario(client, proxy, hook)
      recordClient({ client: key, package: name, ...(variant ? { variant } : {}), version, node: NODE_LINE, steps: run.steps, wire: run.wire, ...verdicts(run) })
    }, 60_000)
  })
}
