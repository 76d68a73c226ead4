/**
 * Server transport lifecycle: close() runs once, onclose fires exactly once
 * (also when an onclose handler re-enters close() by closing the MCP server),
 * and a closed transport answers 404 to its session id. SDK 1.30+ ships the
 * same guard, so there these proofs run as plain tests ("not affected").
 *
 * The Node wrapper part of the fix (one request listener, per-request context
 * keyed by the Node request, no adapter clean-up of an already-read body) has
 * no failure a test can observe on Node 20: node destroys a fully read
 * IncomingMessage, and the adapter's clean-up skips destroyed requests. It is
 * covered by guards below, which must pass everywhere. `@modelcontextprotocol/server`
 * 2.x guards close() in every release (its proofs run plain there) and has no
 * Node wrapper (that is `@modelcontextprotocol/node`), so its cells run the web transport only.
 * @see https://github.com/modelcontextprotocol/typescript-sdk/issues/1852
 */
import { randomUUID } from 'node:crypto'
import type { IncomingMessage } from 'node:http'
import { describe, expect } from 'vitest'
import { flavors, type ModuleFlavor } from '../helpers/cell.js'
import { listen } from '../helpers/listen.js'
import { guard, proof } from '../helpers/proof.js'
import { serverSdk, transportKinds } from '../helpers/sdk-api.js'
import { RawConnection } from '../helpers/raw-connection.js'
import { readText } from '../helpers/sessions-app.js'
import { settle } from '../helpers/wait.js'

const fixed = proof('1852-lifecycle')
const kept = guard('1852-lifecycle')
const PROTOCOL = '2025-06-18'
const kinds = transportKinds()
const combos = flavors.flatMap(flavor => kinds.map(kind => [flavor, kind] as [ModuleFlavor, 'node' | 'web']))

const initialize = {
  jsonrpc: '2.0',
  id: 0,
  method: 'initialize',
  params: { protocolVersion: PROTOCOL, capabilities: {}, clientInfo: { name: 'raw-client', version: '1.0.0' } }
}

async function sdkFor(flavor: ModuleFlavor, kind: 'node' | 'web') {
  const sdk = await serverSdk(flavor)
  return { McpServer: sdk.McpServer, Transport: kind === 'web' ? sdk.WebTransport : sdk.NodeTransport }
}

describe.each(combos)('transport close() (%s, %s transport)', (flavor, kind) => {
  fixed('fires onclose once when close() is called twice', async () => {
    const { McpServer, Transport } = await sdkFor(flavor, kind)
    const transport = new Transport({ sessionIdGenerator: () => randomUUID() })
    let closes = 0
    transport.onclose = () => void closes++
    await new McpServer({ name: 's', version: '1' }).connect(transport)
    await transport.close()
    await transport.close()
    expect(closes).toBe(1)
  })

  fixed('fires onclose once when an onclose handler closes the MCP server', async () => {
    const { McpServer, Transport } = await sdkFor(flavor, kind)
    const transport = new Transport({ sessionIdGenerator: () => randomUUID() })
    const server = new McpServer({ name: 's', version: '1' })
    let closes = 0
    // A common clean-up: close the server when the transport closes. The bound
    // keeps an unguarded close() from recursing until the stack overflows.
    transport.onclose = () => {
      closes++
      if (closes <= 3) void server.close()
    }
    await server.connect(transport)
    await transport.close()
    expect(closes).toBe(1)
  })
})

describe.each(combos)('a closed transport (%s, %s transport)', (flavor, kind) => {
  fixed('answers 404 to its session id after close()', async () => {
    const { McpServer, Transport } = await sdkFor(flavor, kind)
    const { bridgeToWeb } = await import('../helpers/sessions-app.js')
    const transport = new Transport({ sessionIdGenerator: () => randomUUID() })
    const server = new McpServer({ name: 's', version: '1' })
    server.registerTool('echo', { description: 'echo' }, async () => ({ content: [{ type: 'text', text: 'echo' }] }))
    await server.connect(transport)
    // An app that keeps the transport after close(), e.g. because its map is cleaned up later.
    const { port } = await listen((req, res) => void (kind === 'web' ? bridgeToWeb(req, res, transport) : transport.handleRequest(req, res)))
    const conn = await RawConnection.open(port)
    const init = await conn.request({ method: 'POST', body: initialize })
    expect(init.status).toBe(200)
    const sessionId = init.headers['mcp-session-id']!
    await transport.close()
    const after = await RawConnection.open(port)
    after.send({
      method: 'POST',
      headers: { 'mcp-session-id': sessionId, 'mcp-protocol-version': PROTOCOL },
      body: { jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} }
    })
    const head = await after.readHead(1_500)
    expect(head.status).toBe(404)
  })
})

describe.each(kinds.includes('node') ? flavors : [])('Node wrapper request handling (%s)', flavor => {
  kept('passes each request its own authInfo and parsedBody', async () => {
    const { McpServer, NodeTransport: StreamableHTTPServerTransport } = await serverSdk(flavor)
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: () => randomUUID() })
    const server = new McpServer({ name: 's', version: '1' })
    server.registerTool('whoami', { description: 'the caller' }, async (extra: any) => ({
      content: [{ type: 'text', text: String(extra?.authInfo?.token) }]
    }))
    await server.connect(transport)
    const { port } = await listen(async (req: IncomingMessage & { auth?: unknown }, res) => {
      const body = JSON.parse(await readText(req))
      req.auth = { token: req.headers['x-token'], clientId: 'c', scopes: [] }
      await transport.handleRequest(req, res, body)
    })
    const conn = await RawConnection.open(port)
    const init = await conn.request({ method: 'POST', body: initialize })
    expect(init.status).toBe(200)
    const sessionId = init.headers['mcp-session-id']!
    const ask = async (token: string, id: number) => {
      const c = await RawConnection.open(port)
      return c.request({
        method: 'POST',
        headers: { 'mcp-session-id': sessionId, 'mcp-protocol-version': PROTOCOL, 'x-token': token },
        body: { jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'whoami', arguments: {} } }
      })
    }
    const [a, b] = await Promise.all([ask('alice', 1), ask('bob', 2)])
    expect(a.messages[0]?.result?.content?.[0]?.text).toBe('alice')
    expect(b.messages[0]?.result?.content?.[0]?.text).toBe('bob')
  })

  kept('keeps the keep-alive connection after a request whose body the app already read', async () => {
    const { McpServer, NodeTransport: StreamableHTTPServerTransport } = await serverSdk(flavor)
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: () => randomUUID() })
    await new McpServer({ name: 's', version: '1' }).connect(transport)
    const { port } = await listen(async (req, res) => {
      const body = req.method === 'POST' ? JSON.parse(await readText(req)) : undefined
      await transport.handleRequest(req, res, body)
    }, { keepAliveTimeout: 10_000 })
    const conn = await RawConnection.open(port)
    const init = await conn.request({ method: 'POST', body: initialize })
    expect(init.status).toBe(200)
    // The adapter's clean-up would act within 500 ms of the response.
    await settle(800)
    expect(conn.ended).toBe(false)
    const next = await conn.request({
      method: 'POST',
      headers: { 'mcp-session-id': init.headers['mcp-session-id']!, 'mcp-protocol-version': PROTOCOL },
      body: { jsonrpc: '2.0', method: 'notifications/initialized' }
    })
    expect(next.status).toBe(202)
  })
})
