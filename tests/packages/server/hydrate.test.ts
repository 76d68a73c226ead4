/**
 * The multi-node seams of the session manager, in one process: two managers
 * sharing one store behave like two nodes (hydrate on a miss, one hydrate per
 * id, principal check), the bounded local cache, and the routing of a
 * client's answer to the manager whose server asked.
 *
 * @see https://github.com/modelcontextprotocol/typescript-sdk/issues/1658
 */
import { EventEmitter } from 'node:events'
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { MemorySessionStore, type SessionRelay, type SessionStore } from '@mcp-sessions/server'
import { ACCEPT, demoServer, echo, initialize, initializeMessage, PROTOCOL, send, startManager } from './fixture.js'

/** One in-memory store that says it is shared, as Redis does. */
function sharedStore(): SessionStore {
  const inner = new MemorySessionStore()
  return {
    shared: true,
    create: (record, ttl) => inner.create(record, ttl),
    get: id => inner.get(id),
    touch: (id, at, ttl) => inner.touch(id, at, ttl),
    delete: id => inner.delete(id)
  }
}

/** An in-process relay bus: what RedisRelay does over pub/sub. */
function relays() {
  const bus = new EventEmitter()
  return (nodeId: string): SessionRelay => ({
    nodeId,
    forward: async (to, sessionId, message) => void bus.emit(to, sessionId, message),
    listen: deliver => void bus.on(nodeId, deliver)
  })
}

describe('multi-node seams', () => {
  it('continues a session created by another manager, without initialize or onSessionCreated', async () => {
    const store = sharedStore()
    const a = await startManager({ store })
    const b = await startManager({ store })
    const id = await initialize(a.url)
    const r = await echo(b.url, id, 'on b')
    expect(r.status).toBe(200)
    // A continued transport names its session, as the original does (fix 1658-hydrate).
    expect(r.headers.get('mcp-session-id')).toBe(id)
    expect(r.json.result.content[0].text).toBe('on b')
    expect(a.log.created).toEqual([id])
    expect(b.log.created).toEqual([])
    expect(b.manager.size).toBe(1)
  })

  it('hydrates once for concurrent first requests on one manager', async () => {
    const store = sharedStore()
    const a = await startManager({ store })
    let built = 0
    const b = await startManager({ store, createServer: () => (built++, demoServer()) })
    const id = await initialize(a.url)
    const results = await Promise.all(Array.from({ length: 6 }, (_, i) => echo(b.url, id, `c${i}`)))
    expect(results.map(r => r.status)).toEqual(Array(6).fill(200))
    expect(built).toBe(1)
  })

  it('answers a foreign principal 404 without building anything, and the owner still hydrates', async () => {
    const store = sharedStore()
    const principal = ({ request }: { request: Request }) => request.headers.get('x-user') ?? undefined
    const a = await startManager({ store, principal })
    let built = 0
    const b = await startManager({ store, principal, createServer: () => (built++, demoServer()) })
    const id = await initialize(a.url, { 'x-user': 'alice' })
    const [mallory, alice] = await Promise.all([echo(b.url, id, 'x', { 'x-user': 'mallory' }), echo(b.url, id, 'mine', { 'x-user': 'alice' })])
    expect(mallory.status).toBe(404)
    expect(alice.status).toBe(200)
    expect(built).toBe(1)
  })

  it('ends the session on every manager after a DELETE on one', async () => {
    const store = sharedStore()
    const a = await startManager({ store })
    const b = await startManager({ store })
    const id = await initialize(a.url)
    expect((await echo(b.url, id)).status).toBe(200)
    expect((await send(a.url, { method: 'DELETE', sessionId: id })).status).toBe(200)
    expect((await echo(b.url, id)).status).toBe(404)
    expect(b.manager.size).toBe(0)
  })

  it('keeps at most maxLocalSessions objects, rehydrates the others, and ends none', async () => {
    const m = await startManager({ maxLocalSessions: 2 })
    const ids = [await initialize(m.url), await initialize(m.url), await initialize(m.url), await initialize(m.url)]
    expect(m.manager.size).toBeLessThanOrEqual(2)
    for (const id of ids) expect((await echo(m.url, id, id)).json.result.content[0].text).toBe(id)
    expect(m.manager.size).toBeLessThanOrEqual(2)
    expect(m.log.closed).toEqual([])
    expect(m.log.created).toEqual(ids)
  })

  it('routes a client answer that lands on another manager to the one whose server asked', async () => {
    const store = sharedStore()
    const relay = relays()
    const asking = () => {
      const server = new McpServer({ name: 'asker', version: '1.0.0' })
      server.registerTool('ask', { inputSchema: { q: z.string() } }, async ({ q }, extra) => {
        const answer = await server.server.elicitInput({ message: q, requestedSchema: { type: 'object', properties: { a: { type: 'string' } } } }, { relatedRequestId: extra.requestId })
        return { content: [{ type: 'text', text: String(answer.content?.a) }] }
      })
      return server
    }
    const a = await startManager({ store, relay: relay('A'), createServer: asking })
    const b = await startManager({ store, relay: relay('B'), createServer: asking })
    const init = await send(a.url, { body: { ...initializeMessage(), params: { protocolVersion: PROTOCOL, capabilities: { elicitation: { form: {} } }, clientInfo: { name: 'raw', version: '0' } } } })
    const id = init.headers.get('mcp-session-id')!
    const headers = { accept: ACCEPT, 'content-type': 'application/json', 'mcp-session-id': id, 'mcp-protocol-version': PROTOCOL }
    const call = await fetch(a.url, { method: 'POST', headers, body: JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: 'ask', arguments: { q: 'ok?' } } }) })
    const reader = call.body!.pipeThrough(new TextDecoderStream()).getReader()
    const messages: JSONRPCMessage[] = []
    const nextMessage = async () => {
      for (let text = ''; ;) {
        const { value, done } = await reader.read()
        if (done) throw new Error('stream ended')
        text += value
        const data = text.split('\n').filter(line => line.startsWith('data: ') && line.length > 6)
        if (data.length) return JSON.parse(data[0]!.slice(6)) as JSONRPCMessage & { id?: unknown; method?: string }
      }
    }
    const request = await nextMessage()
    messages.push(request)
    expect(request.method).toBe('elicitation/create')
    // The wire id names the node that asked.
    expect(String(request.id)).toMatch(/^mcps:A:/)
    const answered = await send(b.url, { sessionId: id, body: { jsonrpc: '2.0', id: request.id, result: { action: 'accept', content: { a: 'yes' } } } })
    expect(answered.status).toBe(202)
    const result = await nextMessage() as { result?: { content: Array<{ text: string }> } }
    expect(result.result?.content[0]?.text).toBe('yes')
  })
})
