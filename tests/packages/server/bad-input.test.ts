/**
 * Bad input gets a clear JSON-RPC error and leaves every session intact.
 */
import { describe, expect, it } from 'vitest'
import { echo, initialize, initializeMessage, send, startManager } from './fixture.js'

describe('bad input', () => {
  it('answers a request without Mcp-Session-Id with 400 telling the client to initialize', async () => {
    const { url } = await startManager()
    const res = await send(url, { body: { jsonrpc: '2.0', id: 1, method: 'tools/list' } })
    expect(res.status).toBe(400)
    expect(res.json.error).toMatchObject({ code: -32000, data: { code: 'MCPS_SESSION_ID_REQUIRED' } })
    expect(res.json.error.message).toContain('send initialize without Mcp-Session-Id')
    expect((await send(url, { method: 'GET' })).status).toBe(400)
    expect((await send(url, { method: 'DELETE' })).status).toBe(400)
  })

  it('answers an unknown, well-formed id with 404 -32001', async () => {
    const { url } = await startManager()
    const res = await echo(url, 'c29tZS1vdGhlci1ub2RlLWlk')
    expect(res.status).toBe(404)
    expect(res.json).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: -32001, data: { code: 'MCPS_SESSION_NOT_FOUND' } } })
  })

  it.each([
    ['a space', 'abc def'],
    ['over 256 characters', 'a'.repeat(257)],
    ['a non-ASCII character', 'abcé']
  ])('answers a session id with %s with 400, touching no session', async (_, bad) => {
    const { url, log } = await startManager()
    const id = await initialize(url)
    const headers = { 'mcp-session-id': Buffer.from(bad, 'utf8').toString('latin1') }
    const res = await send(url, { headers, body: { jsonrpc: '2.0', id: 1, method: 'tools/list' } })
    expect(res.status).toBe(400)
    expect(res.json.error.data.code).toBe('MCPS_SESSION_ID_INVALID')
    expect(res.json.error.message).toContain('malformed Mcp-Session-Id')
    expect((await echo(url, id)).status).toBe(200)
    expect(log.closed).toEqual([])
  })

  it('refuses a second initialize on a live session with 400 and keeps the session', async () => {
    const { url, log, manager } = await startManager()
    const id = await initialize(url)
    const again = await send(url, { sessionId: id, body: initializeMessage(7) })
    expect(again.status).toBe(400)
    expect(again.json.error).toMatchObject({ code: -32600, data: { code: 'MCPS_ALREADY_INITIALIZED' } })
    expect((await echo(url, id)).status).toBe(200)
    expect(manager.size).toBe(1)
    expect(log.closed).toEqual([])
  })

  it('answers garbage JSON with 400 -32700, with or without a session', async () => {
    const { url } = await startManager()
    const id = await initialize(url)
    for (const sessionId of [undefined, id]) {
      const res = await send(url, { sessionId, rawBody: '{"jsonrpc": "2.0", "id": 1, "meth' })
      expect(res.status).toBe(400)
      expect(res.json.error).toMatchObject({ code: -32700, data: { code: 'MCPS_PARSE_ERROR' } })
    }
    expect((await echo(url, id)).status).toBe(200)
  })

  it('refuses a batch mixing initialize with other messages with 400 -32600 and creates no session', async () => {
    const { url, manager, log } = await startManager()
    const res = await send(url, { body: [initializeMessage(), { jsonrpc: '2.0', id: 2, method: 'tools/list' }] })
    expect(res.status).toBe(400)
    expect(res.json.error).toMatchObject({ code: -32600, data: { code: 'MCPS_INVALID_REQUEST' } })
    expect(res.json.error.message).toContain('initialize must be sent alone')
    expect(manager.size).toBe(0)
    expect(log.created).toEqual([])
  })

  it('answers a body over maxBodyBytes with 413', async () => {
    const { url, manager } = await startManager({ maxBodyBytes: 1_000 })
    const res = await send(url, { body: { ...initializeMessage(), pad: 'x'.repeat(2_000) } })
    expect(res.status).toBe(413)
    expect(res.json.error.data.code).toBe('MCPS_BODY_TOO_LARGE')
    expect(manager.size).toBe(0)
  })

  it('creates no session when the SDK refuses the initialize request', async () => {
    const { url, manager, log } = await startManager()
    const res = await send(url, { body: initializeMessage(), headers: { accept: 'application/json' } })
    expect(res.status).toBe(406)
    expect(manager.size).toBe(0)
    expect(log.created).toEqual([])
  })

  it('answers other methods with 405', async () => {
    const { url } = await startManager()
    const res = await send(url, { method: 'PUT', headers: { 'content-type': 'application/json' } })
    expect(res.status).toBe(405)
    expect(res.headers.get('allow')).toBe('GET, POST, DELETE')
  })
})
