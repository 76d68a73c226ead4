/**
 * Guards: a session ends only by DELETE, by `close()`, or by a server-side
 * lifetime policy — never by a socket, a stream or a response closing.
 *
 * typescript-sdk #1852 reports sessions destroyed when the keep-alive TCP
 * socket closes (1.24 -> 1.27). We could not reproduce it with the bare SDK
 * (see the README, "Server: sessions outlive sockets"): every test here PASSES on the unpatched
 * SDK. They are guards, not proofs: they keep that behaviour from regressing,
 * on every supported version, plain and patched, through the Node wrapper
 * (`StreamableHTTPServerTransport`) and, from 1.25, the web-standard transport,
 * which is also what `@modelcontextprotocol/server` 2.x cells run.
 *
 * The server is the README "sessions map" pattern behind node:http with a
 * 500 ms keepAliveTimeout; the client is a raw `net` socket, because node's
 * http Agent closes idle sockets itself and the server would never get to.
 *
 * The last test documents the one pattern that does end sessions:
 * `res.on('close', () => transport.close())`, copied from stateless examples.
 * @see https://github.com/modelcontextprotocol/typescript-sdk/issues/1852
 */
import type { Socket } from 'node:net'
import { describe, expect, type TestContext } from 'vitest'
import { flavors, type ModuleFlavor } from '../helpers/cell.js'
import { listen } from '../helpers/listen.js'
import { guard } from '../helpers/proof.js'
import { firstSseData, RawConnection } from '../helpers/raw-connection.js'
import { serverSdk, transportKinds } from '../helpers/sdk-api.js'
import { sessionsApp, type SessionsAppOptions } from '../helpers/sessions-app.js'
import { nextEvent } from '../helpers/wait.js'

const it = guard('1852-sessions-outlive-sockets')
const PROTOCOL = '2025-06-18'
const KEEP_ALIVE_MS = 500
const IDLE_TEST_MS = 20_000

const kinds = transportKinds()
const combos = flavors.flatMap(flavor => kinds.map(kind => [flavor, kind] as [ModuleFlavor, 'node' | 'web']))

const initialize = {
  jsonrpc: '2.0',
  id: 0,
  method: 'initialize',
  params: { protocolVersion: PROTOCOL, capabilities: {}, clientInfo: { name: 'raw-client', version: '1.0.0' } }
}
const call = (id: number, name: string) => ({ jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: {} } })
const listTools = (id: number) => ({ jsonrpc: '2.0', id, method: 'tools/list', params: {} })

describe.concurrent.each(combos)('sessions outlive sockets (%s, %s transport)', (flavor, kind) => {
  /**
   * The tests of a combination run concurrently (each waits seconds for idle sockets to close), so cleanups
   * go to the test's own context: vitest cannot tell which concurrent test a global `onTestFinished` belongs to.
   */
  async function start(ctx: TestContext, options: Omit<SessionsAppOptions, 'kind'> = {}) {
    const sdk = await serverSdk(flavor)
    const app = sessionsApp(sdk, { kind, ...options })
    const listening = await listen(app.handler, { keepAliveTimeout: KEEP_ALIVE_MS, register: ctx.onTestFinished })
    /** Server-side sockets, to wait until the server has seen a client go away. */
    const serverSockets: Socket[] = []
    listening.server.on('connection', socket => serverSockets.push(socket))
    const serverSideClosed = (index: number) =>
      nextEvent<void>(`the server to see connection ${index} close`, deliver => {
        const socket = serverSockets[index]!
        if (socket.destroyed) deliver()
        else socket.once('close', () => deliver())
      })
    /** A raw connection to this server, destroyed when the test finishes. */
    const open = () => RawConnection.open(listening.port, ctx.onTestFinished)
    return { app, open, serverSideClosed }
  }

  /** initialize + notifications/initialized on `conn`; returns the session id. */
  async function openSession(conn: RawConnection, headers: Record<string, string> = {}) {
    const init = await conn.request({ method: 'POST', body: initialize, headers })
    expect(init.status).toBe(200)
    expect(init.messages[0]?.result?.serverInfo?.name).toBe('sessions-app')
    const sessionId = init.headers['mcp-session-id']
    expect(sessionId).toMatch(/^[\x21-\x7e]+$/)
    return sessionId!
  }

  async function initialized(conn: RawConnection, sessionId: string, headers: Record<string, string> = {}) {
    const res = await conn.request({
      method: 'POST',
      headers: { 'mcp-session-id': sessionId, 'mcp-protocol-version': PROTOCOL, ...headers },
      body: { jsonrpc: '2.0', method: 'notifications/initialized' }
    })
    expect(res.status).toBe(202)
  }

  const sessionHeaders = (sessionId: string) => ({ 'mcp-session-id': sessionId, 'mcp-protocol-version': PROTOCOL })

  async function expectAlive(open: () => Promise<RawConnection>, sessionId: string, id = 10) {
    const conn = await open()
    const list = await conn.request({ method: 'POST', headers: sessionHeaders(sessionId), body: listTools(id) })
    expect(list.status).toBe(200)
    expect(list.messages[0]?.result?.tools?.map((t: { name: string }) => t.name)).toContain('echo')
    conn.socket.destroy()
  }

  for (const parseBody of [false, true]) {
    it(`keeps the session after the server closes an idle keep-alive connection (body ${parseBody ? 'pre-parsed' : 'streamed'})`, async ctx => {
      const { open, app } = await start(ctx, { parseBody })
      const conn = await open()
      const sessionId = await openSession(conn)
      await initialized(conn, sessionId)
      // The reported scenario: the client stays idle, the server's keep-alive timer fires and it sends FIN.
      expect(await conn.serverClosed(KEEP_ALIVE_MS + 3_000)).toBe('end')
      expect(conn.ended).toBe(true)
      await expectAlive(open, sessionId)
      expect(app.closes.get(sessionId)).toBeUndefined()
    }, IDLE_TEST_MS)
  }

  it('keeps the session when every request carries Connection: close', async ctx => {
    const { open } = await start(ctx)
    const first = await open()
    const sessionId = await openSession(first, { connection: 'close' })
    await first.serverClosed()
    const second = await open()
    await initialized(second, sessionId, { connection: 'close' })
    await second.serverClosed()
    await expectAlive(open, sessionId)
  })

  it('keeps the session after the client resets an idle connection (RST)', async ctx => {
    const { open, serverSideClosed } = await start(ctx)
    const conn = await open()
    const sessionId = await openSession(conn)
    await initialized(conn, sessionId)
    conn.socket.resetAndDestroy()
    await serverSideClosed(0)
    await expectAlive(open, sessionId)
  })

  it("keeps the session when the client drops a POST's SSE response mid-stream", async ctx => {
    let release!: () => void
    const gate = new Promise<void>(resolve => (release = resolve))
    let toolStarted!: () => void
    const { open, serverSideClosed } = await start(ctx, {
      waitFor: () => {
        toolStarted()
        return gate
      }
    })
    const setup = await open()
    const sessionId = await openSession(setup)
    await initialized(setup, sessionId)
    const dropped = await open()
    // Bounded from here: the setup above runs beside the other tests of the file.
    const started = nextEvent<void>('the wait tool to start', deliver => (toolStarted = deliver))
    dropped.send({ method: 'POST', headers: sessionHeaders(sessionId), body: call(1, 'wait') })
    await started
    dropped.socket.destroy()
    await serverSideClosed(1)
    // The tool finishes after its stream is gone; the session must not care.
    release()
    await expectAlive(open, sessionId)
    const conn = await open()
    const echo = await conn.request({ method: 'POST', headers: sessionHeaders(sessionId), body: call(2, 'echo') })
    expect(echo.status).toBe(200)
    expect(echo.messages[0]?.result?.content?.[0]?.text).toBe('echo')
  })

  it('keeps the session when the GET stream is opened and then dropped, and accepts a new one', async ctx => {
    const { open, serverSideClosed } = await start(ctx)
    const setup = await open()
    const sessionId = await openSession(setup)
    await initialized(setup, sessionId)
    const stream = await open()
    stream.send({ method: 'GET', headers: sessionHeaders(sessionId) })
    const head = await stream.readHead()
    expect(head.status).toBe(200)
    expect(head.headers['content-type']).toContain('text/event-stream')
    stream.socket.destroy()
    await serverSideClosed(1)
    await expectAlive(open, sessionId)
    // The dropped stream no longer counts as the session's one GET stream.
    const again = await open()
    again.send({ method: 'GET', headers: sessionHeaders(sessionId) })
    expect((await again.readHead()).status).toBe(200)
  })

  it('keeps the session through five idle cycles in a row', async ctx => {
    const { open } = await start(ctx)
    const setup = await open()
    const sessionId = await openSession(setup)
    await initialized(setup, sessionId)
    // Bounds with room for a machine busy with other cells: the server closes after KEEP_ALIVE_MS when it can.
    await setup.serverClosed(KEEP_ALIVE_MS + 6_000)
    for (let cycle = 1; cycle <= 5; cycle++) {
      const conn = await open()
      const echo = await conn.request({ method: 'POST', headers: sessionHeaders(sessionId), body: call(cycle, 'echo') }, { stopAt: firstSseData })
      expect(echo.status, `cycle ${cycle}`).toBe(200)
      expect(echo.messages[0]?.result?.content?.[0]?.text, `cycle ${cycle}`).toBe('echo')
      expect(await conn.serverClosed(KEEP_ALIVE_MS + 6_000), `cycle ${cycle}`).toBe('end')
    }
  }, 60_000)

  it('ends the session with DELETE: the next request gets 404', async ctx => {
    const { open } = await start(ctx)
    const conn = await open()
    const sessionId = await openSession(conn)
    await initialized(conn, sessionId)
    const del = await conn.request({ method: 'DELETE', headers: sessionHeaders(sessionId) })
    expect(del.status).toBe(200)
    const after = await conn.request({ method: 'POST', headers: sessionHeaders(sessionId), body: listTools(3) })
    expect(after.status).toBe(404)
    expect(after.messages[0]?.error?.code).toBe(-32001)
  })

  it('ends the session when the app closes the transport on response close (the anti-pattern, expected)', async ctx => {
    const { open, app } = await start(ctx, { closeOnResponseClose: true })
    const conn = await open()
    const sessionId = await openSession(conn)
    // The initialize response closing ran transport.close(): that, not the socket, ended the session.
    const next = await conn.request({ method: 'POST', headers: sessionHeaders(sessionId), body: listTools(1) })
    expect(next.status).toBe(404)
    expect(next.messages[0]?.error?.code).toBe(-32001)
    expect(app.closes.get(sessionId)).toBeGreaterThanOrEqual(1)
  })
})
