/**
 * The client clears its session id when the server answers 404 (POST, GET and
 * GET reconnections), as spec Session Management rule 4 requires. Runs on the
 * v1 SDK and on `@modelcontextprotocol/client` 2.x (tests/helpers/sdk-api.ts).
 * @see https://github.com/modelcontextprotocol/typescript-sdk/issues/1708
 * @see https://github.com/modelcontextprotocol/typescript-sdk/pull/2086
 */
import { http, HttpResponse } from 'msw'
import { describe, expect, onTestFinished } from 'vitest'
import { flavors } from '../helpers/cell.js'
import { useMsw } from '../helpers/msw.js'
import { guard, proof } from '../helpers/proof.js'
import { clientSdk, failsWithStatus, httpStatus } from '../helpers/sdk-api.js'
import { scriptedServer } from '../helpers/scripted-server.js'
import { nextEvent, settle } from '../helpers/wait.js'

const URL_ = 'http://mcp.test/mcp'
const server = useMsw()
const fixed = proof('1708-client-404')
const kept = guard('1708-client-404')

const notFound = () => HttpResponse.json({ jsonrpc: '2.0', error: { code: -32001, message: 'Session not found' }, id: null }, { status: 404 })
const listTools = { jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} } as const
const initialized = { jsonrpc: '2.0', method: 'notifications/initialized' } as const

describe.each(flavors)('client transport (%s)', flavor => {
  async function transport(sessionId: string | null = 'stale-session') {
    const { StreamableHTTPClientTransport } = await clientSdk(flavor)
    const t = new StreamableHTTPClientTransport(new URL(URL_), {
      sessionId: sessionId ?? undefined,
      reconnectionOptions: { initialReconnectionDelay: 10, maxReconnectionDelay: 20, reconnectionDelayGrowFactor: 1, maxRetries: 3 }
    })
    const errors: Error[] = []
    t.onerror = (e: Error) => errors.push(e)
    onTestFinished(() => t.close())
    await t.start()
    return { t, errors }
  }

  fixed('clears the session id when a POST carrying it gets 404', async () => {
    server.use(http.post(URL_, notFound))
    const { t } = await transport()
    await failsWithStatus(t.send(listTools), 404)
    expect(t.sessionId).toBeUndefined()
  })

  fixed('says the session expired in the error, keeping the 404 status', async () => {
    server.use(http.post(URL_, notFound))
    const { t } = await transport()
    const error = await failsWithStatus(t.send(listTools), 404)
    expect(error?.message).toMatch(/404/)
    expect(error?.message).toMatch(/session expired/i)
  })

  fixed('clears the session id when opening the GET stream gets 404', async () => {
    server.use(
      http.post(URL_, () => new HttpResponse(null, { status: 202 })),
      http.get(URL_, notFound)
    )
    const { t } = await transport()
    const failed = nextEvent<Error>('the GET stream error', deliver => {
      t.onerror = deliver
    })
    await t.send(initialized)
    expect(httpStatus(await failed)).toBe(404)
    expect(t.sessionId).toBeUndefined()
  })

  fixed('clears the session id when a GET stream reconnection gets 404, and stops reconnecting', async () => {
    let gets = 0
    server.use(
      http.post(URL_, () => new HttpResponse(null, { status: 202 })),
      http.get(URL_, () => {
        gets++
        if (gets > 1) return notFound()
        // The server ends the first stream at once; the client reconnects.
        return new HttpResponse(new ReadableStream({ start: c => c.close() }), { headers: { 'content-type': 'text/event-stream' } })
      })
    )
    const { t } = await transport()
    const failed = nextEvent<Error>('the reconnection error', deliver => {
      t.onerror = deliver
    })
    await t.send(initialized)
    expect((await failed).message).toMatch(/404|Not Found/)
    expect(t.sessionId).toBeUndefined()
    // Reconnections run every 10-20 ms here; 150 ms is room for several more if they were scheduled.
    await settle(150)
    expect(gets).toBe(2)
  })

  fixed('sends the next request without mcp-session-id after a 404', async () => {
    const sent: Array<string | null> = []
    server.use(
      http.post(URL_, ({ request }) => {
        sent.push(request.headers.get('mcp-session-id'))
        return sent.length === 1 ? notFound() : new HttpResponse(null, { status: 202 })
      }),
      http.get(URL_, () => new HttpResponse(null, { status: 405 }))
    )
    const { t } = await transport()
    await t.send(listTools).catch(() => {})
    await t.send(initialized)
    expect(sent).toEqual(['stale-session', null])
  })

  fixed('treats a 404 answer to DELETE as an already terminated session', async () => {
    server.use(http.delete(URL_, notFound))
    const { t } = await transport()
    await expect(t.terminateSession()).resolves.toBeUndefined()
    expect(t.sessionId).toBeUndefined()
  })

  fixed('starts a new session after the server forgets the old one (SDK Client, spec flow)', async () => {
    const scripted = scriptedServer(URL_)
    server.use(...scripted.handlers)
    const { Client, StreamableHTTPClientTransport, LATEST_PROTOCOL_VERSION, initialize } = await clientSdk(flavor)
    const client = new Client({ name: 'proof', version: '1.0.0' })
    const t = new StreamableHTTPClientTransport(new URL(URL_))
    onTestFinished(() => client.close())
    await client.connect(t)
    const first = t.sessionId as string
    expect(first).toBe('session-1')

    scripted.forget(first)
    await failsWithStatus(client.listTools(), 404)
    expect(t.sessionId).toBeUndefined()

    await expect(initialize(client, { protocolVersion: LATEST_PROTOCOL_VERSION, capabilities: {}, clientInfo: { name: 'proof', version: '1.0.0' } })).resolves.toMatchObject({
      serverInfo: { name: 'scripted' }
    })
    expect(t.sessionId).toBe('session-2')
    await expect(client.listTools()).resolves.toMatchObject({ tools: [] })

    const after = scripted.seen.slice(scripted.seen.findIndex(r => r.sessionId === first && r.rpcMethod === 'tools/list'))
    expect(after.map(r => [r.rpcMethod, r.sessionId])).toEqual([
      ['tools/list', first],
      ['initialize', null],
      ['tools/list', 'session-2']
    ])
  })


  for (const status of [400, 401, 403, 500]) {
    kept(`keeps the session id when a POST gets ${status}`, async () => {
      server.use(http.post(URL_, () => HttpResponse.json({ jsonrpc: '2.0', error: { code: -32000, message: 'no' }, id: null }, { status })))
      const { t } = await transport()
      await failsWithStatus(t.send(listTools), status)
      expect(t.sessionId).toBe('stale-session')
    })
  }

  kept('keeps the session id when opening the GET stream gets 500', async () => {
    server.use(
      http.post(URL_, () => new HttpResponse(null, { status: 202 })),
      http.get(URL_, () => new HttpResponse('boom', { status: 500 }))
    )
    const { t } = await transport()
    const failed = nextEvent<Error>('the GET stream error', deliver => {
      t.onerror = deliver
    })
    await t.send(initialized)
    expect(httpStatus(await failed)).toBe(500)
    expect(t.sessionId).toBe('stale-session')
  })

  kept('reports a 404 for a request without a session id as a plain 404, not an expired session', async () => {
    server.use(http.post(URL_, notFound))
    const { t } = await transport(null)
    const error = await failsWithStatus(t.send(listTools), 404)
    expect(error?.message).not.toMatch(/expired/i)
    expect(t.sessionId).toBeUndefined()
  })
})
