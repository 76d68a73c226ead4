/**
 * Both entry points, one code path: node:http with a body a framework
 * already parsed (express.json), and web-standard Request/Response.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { describe, expect, it, onTestFinished } from 'vitest'
import { createSessionManager } from '@mcp-sessions/server'
import { listen } from '../../helpers/listen.js'
import { ACCEPT, PROTOCOL, connectClient, demoServer, initializeMessage } from './fixture.js'

describe('entry points', () => {
  it('uses a pre-parsed body passed to handleNodeRequest (express.json style)', async () => {
    const manager = createSessionManager({ createServer: () => demoServer() })
    onTestFinished(() => manager.shutdown())
    let parsedByFramework = 0
    const { url } = await listen(async (req: IncomingMessage, res: ServerResponse) => {
      let body: unknown
      if (req.method === 'POST') {
        const chunks: Buffer[] = []
        for await (const chunk of req) chunks.push(chunk as Buffer)
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'))
        parsedByFramework++
      }
      await manager.handleNodeRequest(req, res, body)
    })
    const { client } = await connectClient(url)
    const result = await client.callTool({ name: 'echo', arguments: { text: 'pre-parsed' } })
    expect(result.content).toEqual([{ type: 'text', text: 'pre-parsed' }])
    expect(parsedByFramework).toBeGreaterThanOrEqual(3)
  })

  it('serves web-standard Requests end to end, including DELETE and the 404 after it', async () => {
    const manager = createSessionManager({ createServer: () => demoServer() })
    onTestFinished(() => manager.shutdown())
    const url = 'http://127.0.0.1/mcp'
    const headers = { accept: ACCEPT, 'content-type': 'application/json', 'mcp-protocol-version': PROTOCOL }
    const init = await manager.handleRequest(new Request(url, { method: 'POST', headers, body: JSON.stringify(initializeMessage()) }))
    expect(init.status).toBe(200)
    expect(await init.text()).toContain('"serverInfo"')
    const id = init.headers.get('mcp-session-id')!
    const call = await manager.handleRequest(new Request(url, {
      method: 'POST', headers: { ...headers, 'mcp-session-id': id },
      body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'echo', arguments: { text: 'web' } } })
    }))
    expect(await call.text()).toContain('"text":"web"')
    const deleted = await manager.handleRequest(new Request(url, { method: 'DELETE', headers: { ...headers, 'mcp-session-id': id } }))
    expect(deleted.status).toBe(200)
    expect(manager.size).toBe(0)
    const after = await manager.handleRequest(new Request(url, { method: 'GET', headers: { ...headers, 'mcp-session-id': id } }))
    expect(after.status).toBe(404)
    expect((await after.json()).error.code).toBe(-32001)
  })
})
