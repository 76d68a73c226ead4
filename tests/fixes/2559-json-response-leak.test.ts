/**
 * JSON-response mode (`enableJsonResponse: true`) retires each POST's
 * bookkeeping once it is answered, and closing the transport answers every
 * POST still in flight with a JSON-RPC error instead of leaving it open.
 * SSE mode and batch answers are unchanged (guards). Runs on the v1 SDK and on
 * `@modelcontextprotocol/server` 2.x, which retires answered POSTs itself
 * (upstream #2286): there only the close part is a proof.
 * @see https://github.com/modelcontextprotocol/typescript-sdk/issues/2559
 * @see https://github.com/modelcontextprotocol/typescript-sdk/pull/2747
 */
import { randomUUID } from 'node:crypto'
import { existsSync } from 'node:fs'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { join } from 'node:path'
import { describe, expect, onTestFinished } from 'vitest'
import { currentCell, flavors, type ModuleFlavor } from '../helpers/cell.js'
import { listen } from '../helpers/listen.js'
import { guard, proof } from '../helpers/proof.js'
import { generation, handleFromNode, serverSdk } from '../helpers/sdk-api.js'
import { nextEvent } from '../helpers/wait.js'

const fixed = proof('2559-json-response-leak')
const kept = guard('2559-json-response-mode')

/**
 * The 1.24 Node-only transport already drops a POST's stream entry on the
 * response's `close` event; only its close() was wrong. From 1.25 on, the
 * web-standard core kept one entry per answered POST; v2 retires it again.
 */
const leaks = generation() === 1 && existsSync(join(currentCell().sdkDir, 'dist', 'esm', 'server', 'webStandardStreamableHttp.js'))
const flatInJsonMode = leaks ? fixed : kept

const PROTOCOL = '2025-06-18'
const N = 60

interface Answer {
  status: number
  contentType: string | null
  text: string
}

/** Parses a body that should be JSON; `undefined` (not a throw) when it is not, so the assertion says what was wrong. */
const json = (text: string): unknown => {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

/** The `data:` payloads of an SSE body. */
const sseMessages = (text: string) =>
  text
    .split('\n')
    .filter(line => line.startsWith('data: '))
    .map(line => json(line.slice(6)))

const call = (id: number, name = 'echo') => ({ jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: {} } })

/**
 * The SDK README's sessions-map server on node:http: one transport and one
 * McpServer per session, the map emptied by `onclose` (v1's Node wrapper, or
 * v2's web-standard transport behind a small bridge). Tool `slow` reports
 * that it started and answers only when the test releases it.
 */
async function sessionsApp(flavor: ModuleFlavor, options: { json: boolean; stateless?: boolean }) {
  const sdk = await serverSdk(flavor)
  const { McpServer } = sdk
  const StreamableHTTPServerTransport = sdk.NodeTransport ?? sdk.WebTransport
  const sessions = new Map<string, any>()
  const transports: any[] = []
  let slowStarted: (() => void) | undefined
  let release!: () => void
  const gate = new Promise<void>(resolve => (release = resolve))
  onTestFinished(() => release())

  const newServer = () => {
    const server = new McpServer({ name: 'json-leak-proof', version: '1.0.0' })
    server.registerTool('echo', { description: 'answers at once' }, async () => ({ content: [{ type: 'text', text: 'echo' }] }))
    server.registerTool('slow', { description: 'answers when the test says so' }, async () => {
      slowStarted?.()
      await gate
      return { content: [{ type: 'text', text: 'late' }] }
    })
    return server
  }

  const handler = async (req: IncomingMessage, res: ServerResponse) => {
    try {
      const sid = req.headers['mcp-session-id']
      let transport = typeof sid === 'string' ? sessions.get(sid) : undefined
      if (!transport && (options.stateless || sid === undefined)) {
        transport = new StreamableHTTPServerTransport({
          sessionIdGenerator: options.stateless ? undefined : randomUUID,
          enableJsonResponse: options.json,
          onsessioninitialized: (id: string) => void sessions.set(id, transport)
        })
        const t = transport
        t.onclose = () => {
          if (t.sessionId) sessions.delete(t.sessionId)
        }
        transports.push(t)
        await newServer().connect(t)
      }
      if (!transport) {
        res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32001, message: 'Session not found' }, id: null }))
        return
      }
      await handleFromNode(sdk, transport, req, res)
    } catch (error) {
      if (!res.headersSent) res.writeHead(500).end(String(error))
    }
  }
  const { url } = await listen(handler)

  let sessionId: string | undefined
  const post = async (body: unknown): Promise<Answer> => {
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' }
    if (sessionId) Object.assign(headers, { 'mcp-session-id': sessionId, 'mcp-protocol-version': PROTOCOL })
    const res = await fetch(url, { method: 'POST', headers, body: JSON.stringify(body) })
    return { status: res.status, contentType: res.headers.get('content-type'), text: await res.text() }
  }

  return {
    sessions,
    transports,
    post,
    get sessionId() {
      return sessionId
    },
    async initialize() {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: PROTOCOL, capabilities: {}, clientInfo: { name: 'proof', version: '1.0.0' } } })
      })
      await res.text()
      expect(res.status).toBe(200)
      sessionId = res.headers.get('mcp-session-id') ?? undefined
      if (!options.stateless) expect(sessionId).toBeTruthy()
      expect((await post({ jsonrpc: '2.0', method: 'notifications/initialized' })).status).toBe(202)
    },
    async terminate() {
      const res = await fetch(url, { method: 'DELETE', headers: { 'mcp-session-id': sessionId!, 'mcp-protocol-version': PROTOCOL } })
      await res.text()
      return res.status
    },
    /**
     * Sends a POST whose handler blocks in `slow`; resolves once the handler
     * runs, with the pending answer (wrapped, so awaiting this does not wait
     * for it). The answer never rejects: a reset connection reads as `status: 0`.
     */
    async postInFlight(body: unknown): Promise<{ answer: Promise<Answer> }> {
      const started = nextEvent<void>('the slow tool to start', deliver => (slowStarted = deliver))
      const answer = post(body).catch((error: unknown): Answer => ({ status: 0, contentType: null, text: String(error) }))
      await started
      return { answer }
    }
  }
}

/** Entries the transport keeps per request; reached through the Node wrapper on SDK >= 1.25. */
function bookkeeping(transport: any) {
  const core = transport._webStandardTransport ?? transport
  return {
    streams: core._streamMapping.size as number,
    requests: core._requestToStreamMapping.size as number,
    responses: core._requestResponseMap.size as number
  }
}

const settled = <T>({ answer }: { answer: Promise<T> }) => nextEvent<T>('the in-flight POST to be answered', deliver => void answer.then(deliver), 2_000)

describe.each(flavors)('server transport, JSON-response mode (%s)', flavor => {
  flatInJsonMode(`keeps no per-request entries after ${N} answered requests in one session`, async () => {
    const app = await sessionsApp(flavor, { json: true })
    await app.initialize()
    for (let i = 1; i <= N; i++) {
      const answer = await app.post(call(i))
      expect(answer.status).toBe(200)
    }
    const [transport] = app.sessions.values()
    expect(bookkeeping(transport)).toEqual({ streams: 0, requests: 0, responses: 0 })
  })

  fixed('answers a POST in flight when the session is deleted, with 503 and a JSON-RPC error saying so', async () => {
    const app = await sessionsApp(flavor, { json: true })
    await app.initialize()
    const sessionId = app.sessionId
    const inFlight = await app.postInFlight(call(7, 'slow'))
    expect(await app.terminate()).toBe(200)
    const answer = await settled(inFlight)
    // 503, not 404: a 404 would tell the client the request never ran, and recovering clients retry 404s.
    expect(answer.status).toBe(503)
    expect(answer.contentType).toMatch(/application\/json/)
    const body = json(answer.text) as any
    expect(body).toMatchObject({ jsonrpc: '2.0', id: 7, error: { code: -32000, data: { reason: 'session-closed' } } })
    expect(body.error.message).toMatch(/session closed/i)
    expect(body.error.message).toContain(sessionId)
    expect(body.error.message).toMatch(/may or may not have run/)
    expect(body.error.message).toMatch(/initialize/)
    // The next request with the closed session's id gets the 404 that makes a client start a new session.
    expect((await app.post(call(70))).status).toBe(404)
  })

  fixed('answers a POST in flight when the application closes the transport', async () => {
    const app = await sessionsApp(flavor, { json: true })
    await app.initialize()
    const inFlight = await app.postInFlight(call(8, 'slow'))
    const [transport] = app.sessions.values()
    await transport.close()
    const answer = await settled(inFlight)
    expect(answer.status).toBe(503)
    expect(json(answer.text)).toMatchObject({ jsonrpc: '2.0', id: 8, error: { code: -32000, data: { reason: 'session-closed' } } })
    expect(bookkeeping(transport)).toEqual({ streams: 0, requests: 0, responses: 0 })
  })

  fixed('answers every request of a batch in flight on close, as one JSON array', async () => {
    const app = await sessionsApp(flavor, { json: true })
    await app.initialize()
    const inFlight = await app.postInFlight([call(21, 'slow'), call(22, 'slow')])
    await app.terminate()
    const answer = await settled(inFlight)
    expect(answer.status).toBe(503)
    const body = json(answer.text)
    expect(body).toEqual([
      expect.objectContaining({ id: 21, error: expect.objectContaining({ code: -32000 }) }),
      expect.objectContaining({ id: 22, error: expect.objectContaining({ code: -32000 }) })
    ])
  })

  fixed('answers a stateless POST in flight on close with 503 and a retry hint', async () => {
    const app = await sessionsApp(flavor, { json: true, stateless: true })
    const slow = await app.postInFlight(call(31, 'slow'))
    await app.transports.at(-1).close()
    const answer = await settled(slow)
    expect(answer.status).toBe(503)
    const body = json(answer.text) as any
    expect(body).toMatchObject({ jsonrpc: '2.0', id: 31, error: { code: -32000, data: { reason: 'transport-closed' } } })
    expect(body.error.message).toMatch(/retry/i)
  })

  kept('still answers a batch with one JSON array, in order', async () => {
    const app = await sessionsApp(flavor, { json: true })
    await app.initialize()
    const answer = await app.post([call(41), call(42)])
    expect(answer.status).toBe(200)
    expect(answer.contentType).toMatch(/application\/json/)
    expect(json(answer.text)).toEqual([
      expect.objectContaining({ id: 41, result: expect.objectContaining({ content: [{ type: 'text', text: 'echo' }] }) }),
      expect.objectContaining({ id: 42, result: expect.objectContaining({ content: [{ type: 'text', text: 'echo' }] }) })
    ])
  })
})

describe.each(flavors)('server transport, SSE mode (%s)', flavor => {
  kept(`answers ${N} requests on their SSE streams and keeps no per-request entries`, async () => {
    const app = await sessionsApp(flavor, { json: false })
    await app.initialize()
    for (let i = 1; i <= N; i++) {
      const answer = await app.post(call(i))
      expect(answer.contentType).toMatch(/text\/event-stream/)
      expect(sseMessages(answer.text)).toContainEqual(expect.objectContaining({ id: i, result: expect.anything() }))
    }
    const [transport] = app.sessions.values()
    expect(bookkeeping(transport)).toEqual({ streams: 0, requests: 0, responses: 0 })
  })

  kept('ends an SSE response in flight when the session is deleted, as before', async () => {
    const app = await sessionsApp(flavor, { json: false })
    await app.initialize()
    const inFlight = await app.postInFlight(call(9, 'slow'))
    expect(await app.terminate()).toBe(200)
    const answer = await settled(inFlight)
    expect(answer.status).toBe(200)
    expect(answer.contentType).toMatch(/text\/event-stream/)
    expect(sseMessages(answer.text)).not.toContainEqual(expect.objectContaining({ id: 9 }))
  })
})
