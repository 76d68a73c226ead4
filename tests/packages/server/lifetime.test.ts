/**
 * Session lifetime: a session ends only by DELETE, idle timeout, eviction,
 * close() or shutdown; never because a connection closed.
 * @see https://github.com/modelcontextprotocol/typescript-sdk/issues/1852 (seed 000)
 */
import { once } from 'node:events'
import { describe, expect, it } from 'vitest'
import { ManualClock } from '../../helpers/manual-clock.js'
import { rawConnect, rawRequest } from '../../helpers/raw-http.js'
import { ACCEPT, PROTOCOL, connectClient, echo, initialize, initializeMessage, send, startManager } from './fixture.js'

const NOT_FOUND = 'Session not found or expired: start a new session by sending initialize without Mcp-Session-Id'

describe('session lifetime', () => {
  it('keeps the session when the server closes an idle keep-alive connection (seed 000)', async () => {
    const { url, port, log } = await startManager({ keepAliveTimeout: 500 })
    const socket = await rawConnect(port)
    const headers = { 'content-type': 'application/json', accept: ACCEPT }
    const init = await rawRequest(socket, { method: 'POST', path: '/mcp', headers, body: JSON.stringify(initializeMessage()) })
    expect(init.status).toBe(200)
    const id = init.headers['mcp-session-id']!
    expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/)
    const ack = await rawRequest(socket, {
      method: 'POST', path: '/mcp', headers: { ...headers, 'mcp-session-id': id, 'mcp-protocol-version': PROTOCOL },
      body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' })
    })
    expect(ack.status).toBe(202)

    // The server, not the client, ends the idle keep-alive connection.
    await once(socket, 'close', { signal: AbortSignal.timeout(5_000) })

    const { client } = await connectClient(url, { sessionId: id })
    const result = await client.callTool({ name: 'echo', arguments: { text: 'after the socket closed' } })
    expect(result.content).toEqual([{ type: 'text', text: 'after the socket closed' }])
    expect(log.closed).toEqual([])
  })

  it('ends the session on DELETE and answers 404 afterwards', async () => {
    const { url, log, until, manager } = await startManager()
    const { transport } = await connectClient(url)
    const id = transport.sessionId!
    await transport.terminateSession()
    await until('the closed hook', () => log.closed.length === 1)
    expect(log.closed).toEqual([{ id, reason: 'delete' }])
    const after = await echo(url, id)
    expect(after.status).toBe(404)
    expect(after.json.error).toMatchObject({ code: -32001, message: NOT_FOUND, data: { code: 'MCPS_SESSION_NOT_FOUND' } })
    expect(manager.size).toBe(0)
  })

  it('expires a session idle for idleTimeoutMs, fires the hook once with idle, then answers 404', async () => {
    const clock = new ManualClock()
    const { url, log, until, nextGetOpened } = await startManager({ clock, idleTimeoutMs: 60_000 })
    const getOpened = nextGetOpened()
    const { client, transport } = await connectClient(url)
    const id = transport.sessionId!
    await getOpened

    // An open GET stream is activity: the session outlives many timeouts.
    clock.advance(10 * 60_000)
    expect(log.closed).toEqual([])
    expect((await echo(url, id)).status).toBe(200)

    await client.close()
    await until('the GET stream to detach', () => log.detached.length === 1)
    clock.advance(59_999)
    expect(log.closed).toEqual([])
    clock.advance(1)
    await until('the idle close', () => log.closed.length === 1)
    expect(log.closed).toEqual([{ id, reason: 'idle' }])

    const after = await echo(url, id)
    expect(after.status).toBe(404)
    expect(after.json.error.message).toBe(NOT_FOUND)
    clock.advance(10 * 60_000)
    expect(log.closed).toHaveLength(1)
  })

  it('restarts the idle clock on every request', async () => {
    const clock = new ManualClock()
    const { url, log, until } = await startManager({ clock, idleTimeoutMs: 1_000 })
    const id = await initialize(url)
    for (let i = 0; i < 5; i++) {
      clock.advance(900)
      expect((await echo(url, id)).status).toBe(200)
    }
    expect(log.closed).toEqual([])
    clock.advance(1_000)
    await until('the idle close', () => log.closed.length === 1)
    expect(log.closed).toEqual([{ id, reason: 'idle' }])
  })

  it('evicts the least recently active session when maxSessions is reached', async () => {
    const { url, log, until, manager } = await startManager({ maxSessions: 3 })
    const a = await initialize(url)
    const b = await initialize(url)
    const c = await initialize(url)
    expect((await echo(url, a)).status).toBe(200)

    const d = await initialize(url)
    await until('one eviction', () => log.closed.length === 1)
    expect(log.closed).toEqual([{ id: b, reason: 'evicted' }])
    const e = await initialize(url)
    await until('two evictions', () => log.closed.length === 2)
    expect(log.closed[1]).toEqual({ id: c, reason: 'evicted' })

    expect(manager.size).toBe(3)
    expect((await echo(url, b)).status).toBe(404)
    expect((await echo(url, c)).status).toBe(404)
    for (const live of [a, d, e]) expect((await echo(url, live)).status).toBe(200)
  })

  it('never holds more than maxSessions, even under concurrent initializes', async () => {
    const { url, log, until, manager } = await startManager({ maxSessions: 3 })
    const ids = await Promise.all(Array.from({ length: 8 }, () => initialize(url)))
    expect(new Set(ids).size).toBe(8)
    expect(manager.size).toBe(3)
    await until('five evictions', () => log.closed.length === 5)
    expect(log.closed.every(c => c.reason === 'evicted')).toBe(true)
  })

  it('ends a session on close(id) and when its MCP server closes itself', async () => {
    const { url, log, until, manager, servers } = await startManager()
    const a = await initialize(url)
    const b = await initialize(url)
    expect(await manager.close(a)).toBe(true)
    expect(await manager.close(a)).toBe(false)
    await servers.get(b)!.close()
    await until('two closes', () => log.closed.length === 2)
    expect(log.closed).toEqual([{ id: a, reason: 'closed' }, { id: b, reason: 'closed' }])
    expect((await echo(url, a)).status).toBe(404)
    expect((await echo(url, b)).status).toBe(404)
  })

  it('ends every session on shutdown and refuses new ones with 503', async () => {
    const { url, log, manager } = await startManager()
    const ids = [await initialize(url), await initialize(url)]
    await manager.shutdown()
    expect(log.closed.map(c => c.reason)).toEqual(['shutdown', 'shutdown'])
    expect(log.closed.map(c => c.id).sort()).toEqual([...ids].sort())
    const refused = await send(url, { body: initializeMessage() })
    expect(refused.status).toBe(503)
    expect(refused.json.error.data.code).toBe('MCPS_SHUTTING_DOWN')
  })
})
