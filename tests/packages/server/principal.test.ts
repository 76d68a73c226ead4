/**
 * Sessions are bound to the caller that created them: anyone else holding the
 * id is answered exactly as for an unknown session, and the owner's session
 * is untouched.
 */
import { describe, expect, it } from 'vitest'
import { createSessionManager } from '@mcp-sessions/server'
import { ACCEPT, PROTOCOL, demoServer, echo, initialize, initializeMessage, send, startManager } from './fixture.js'

const byHeader = { principal: ({ request }: { request: Request }) => request.headers.get('x-user') ?? undefined }

describe('principal binding', () => {
  it('answers another principal with the same 404 as an unknown id, for requests and DELETE', async () => {
    const { url, log } = await startManager(byHeader)
    const alice = { 'x-user': 'alice' }
    const bob = { 'x-user': 'bob' }
    const id = await initialize(url, alice)

    const unknown = await echo(url, 'AAAAAAAAAAAAAAAAAAAAAA', 'x', bob)
    const stolen = await echo(url, id, 'x', bob)
    expect(stolen.status).toBe(404)
    expect(stolen.json).toEqual(unknown.json)
    const anonymous = await echo(url, id, 'x')
    expect(anonymous.status).toBe(404)

    const deleted = await send(url, { method: 'DELETE', sessionId: id, headers: bob })
    expect(deleted.status).toBe(404)
    expect(deleted.json).toEqual(unknown.json)
    const getStream = await send(url, { method: 'GET', sessionId: id, headers: bob })
    expect(getStream.status).toBe(404)

    const owner = await echo(url, id, 'mine', alice)
    expect(owner.status).toBe(200)
    expect(owner.json.result.content[0].text).toBe('mine')
    expect(log.closed).toEqual([])
  })

  it('binds to authInfo.clientId by default on the web-standard entry point', async () => {
    const manager = createSessionManager({ createServer: () => demoServer() })
    const url = 'http://127.0.0.1/mcp'
    const headers = { accept: ACCEPT, 'content-type': 'application/json', 'mcp-protocol-version': PROTOCOL }
    const asClient = (clientId: string) => ({ authInfo: { token: 't', clientId, scopes: [] } })
    try {
      const init = await manager.handleRequest(new Request(url, { method: 'POST', headers, body: JSON.stringify(initializeMessage()) }), asClient('app-1'))
      expect(init.status).toBe(200)
      await init.body?.cancel()
      const id = init.headers.get('mcp-session-id')!
      const list = (clientId: string) => manager.handleRequest(new Request(url, {
        method: 'POST', headers: { ...headers, 'mcp-session-id': id },
        body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' })
      }), asClient(clientId))

      const foreign = await list('app-2')
      expect(foreign.status).toBe(404)
      expect((await foreign.json()).error.code).toBe(-32001)
      const own = await list('app-1')
      expect(own.status).toBe(200)
      expect(await own.text()).toContain('"echo"')
    } finally {
      await manager.shutdown()
    }
  })
})
