/**
 * A graceful shutdown: new requests are refused with 503 + Retry-After (a
 * balancer's retry lands elsewhere), open GET streams end at once so their
 * clients resume elsewhere, a request in flight finishes and its answer is
 * delivered, and only then does shutdown() resolve.
 */
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { ACCEPT, initialize, initializeMessage, PROTOCOL, send, startManager } from './fixture.js'

/** A server whose tool takes `ms`; `running` resolves when a call reached it (so it is in flight for sure). */
function slowServer(ms: number, running: () => void = () => {}) {
  const server = new McpServer({ name: 'slow', version: '1.0.0' })
  server.registerTool('slow', { inputSchema: { text: z.string() } }, async ({ text }) => {
    running()
    await new Promise(resolve => setTimeout(resolve, ms))
    return { content: [{ type: 'text', text }] }
  })
  return server
}

const callSlow = (url: string, sessionId: string) =>
  send(url, { sessionId, body: { jsonrpc: '2.0', id: 5, method: 'tools/call', params: { name: 'slow', arguments: { text: 'finished' } } } })

describe('graceful shutdown', () => {
  it('ends GET streams at once, lets a call in flight finish and refuses new requests with 503 + Retry-After', async () => {
    let running = () => {}
    const inFlight = new Promise<void>(resolve => (running = resolve))
    const { url, manager, log } = await startManager({ createServer: () => slowServer(400, running) })
    const id = await initialize(url)
    const get = await fetch(url, { headers: { accept: ACCEPT, 'mcp-session-id': id, 'mcp-protocol-version': PROTOCOL } })
    const stream = get.body!.getReader()
    await stream.read()
    const call = callSlow(url, id)
    await inFlight
    const started = Date.now()
    const stopped = manager.shutdown({ graceMs: 5_000 })
    // The GET stream ends cleanly (not an error): its client reconnects, to another node behind a balancer.
    for (let chunk = await stream.read(); !chunk.done; chunk = await stream.read());
    const refused = await send(url, { body: initializeMessage() })
    expect(refused.status).toBe(503)
    expect(refused.json.error.data.code).toBe('MCPS_SHUTTING_DOWN')
    expect(refused.headers.get('retry-after')).toBe('1')
    const answered = await call
    expect(answered.status).toBe(200)
    expect(answered.json.result.content[0].text).toBe('finished')
    await stopped
    expect(Date.now() - started).toBeLessThan(5_000)
    expect(log.closed).toEqual([{ id, reason: 'shutdown' }])
  })

  it('ends a call still running when graceMs runs out, and resolves', async () => {
    let running = () => {}
    const inFlight = new Promise<void>(resolve => (running = resolve))
    const { url, manager } = await startManager({ createServer: () => slowServer(10_000, running) })
    const id = await initialize(url)
    const call = callSlow(url, id).catch(error => error as Error)
    await inFlight
    const started = Date.now()
    await manager.shutdown({ graceMs: 300 })
    expect(Date.now() - started).toBeGreaterThanOrEqual(250)
    expect(Date.now() - started).toBeLessThan(3_000)
    const outcome = await call
    // The stream was cut: no result reached the client.
    expect(outcome instanceof Error || !('result' in ((outcome as { json?: object }).json ?? {}))).toBe(true)
  })

  it('waits for a call whose stream the client dropped: the tool finishes before shutdown resolves', async () => {
    let finished: 'done' | 'aborted' | undefined
    const { url, manager } = await startManager({
      createServer: () => {
        const server = new McpServer({ name: 'slow', version: '1.0.0' })
        server.registerTool('slow', { inputSchema: { text: z.string() } }, async ({ text }, extra) => {
          await new Promise(resolve => setTimeout(resolve, 400))
          finished = extra.signal.aborted ? 'aborted' : 'done'
          return { content: [{ type: 'text', text }] }
        })
        return server
      }
    })
    const id = await initialize(url)
    // A balancer's idle cut: the POST stream goes away, the call keeps running on this node.
    const controller = new AbortController()
    const response = await fetch(url, {
      method: 'POST',
      signal: controller.signal,
      headers: { accept: ACCEPT, 'content-type': 'application/json', 'mcp-session-id': id, 'mcp-protocol-version': PROTOCOL },
      body: JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: 'slow', arguments: { text: 'cut' } } })
    })
    expect(response.status).toBe(200)
    controller.abort()
    await new Promise(resolve => setTimeout(resolve, 50))
    await manager.shutdown({ graceMs: 5_000 })
    expect(finished, 'the tool ran to its end before the session was released').toBe('done')
  })
})
