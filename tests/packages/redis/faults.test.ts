/**
 * Faults on a three-node cluster: a node killed (SIGKILL) while it streams a
 * tool result, and Redis going away and coming back.
 */
import { describe, expect, it } from 'vitest'
import { initializeMessage, send } from '../server/fixture.js'
import { connectThrough, startCluster, texts } from './cluster.js'

const call = (name: string, args: Record<string, unknown>, id = 2) => ({ jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: args } })

describe('faults', { timeout: 60_000 }, () => {
  it('finishes a tool call on another node after the node streaming it is killed, nothing lost or repeated', async () => {
    const { front, nodes } = await startCluster()
    const { client, notifications } = await connectThrough(front.url)
    const target = 1
    front.route((_req, body) => body.includes('"slow"') ? target : undefined)
    // A slow client link: the last bytes of the call's stream (its result) stay in the front.
    front.hold((text, req) => req.method === 'POST' && text.includes('"result"') && text.includes('done 5'))
    const held = front.once('holding')
    const resumed = front.nextRequest(e => e.method === 'GET' && e.lastEventId !== undefined && e.lastEventId.includes('/') && !e.lastEventId.includes('_GET_stream'), 15_000)
    const calling = client.callTool({ name: 'slow', arguments: { count: 5, delayMs: 20 } })
    await held
    // The node produced everything and stored it in Redis; the client has not seen the end of it.
    await nodes[target]!.kill()
    front.dropHeld()
    const result = await calling
    expect(texts(result)).toEqual(['done 5', 'streamed by node-1'])
    const resume = await resumed
    expect(resume.node).not.toBe(target)
    expect(notifications).toEqual(['part 1', 'part 2', 'part 3', 'part 4', 'part 5'])
    // The session goes on, on the surviving nodes.
    expect(texts(await client.callTool({ name: 'echo', arguments: { text: 'after' } }))[0]).toBe('after')
  })

  it('resumes the GET stream on another node after its node is killed, with what was sent meanwhile, once', async () => {
    const { front, nodes } = await startCluster()
    const { client, notifications, untilNotifications } = await connectThrough(front.url)
    const isGet = (e: { method: string; lastEventId: string | undefined }) => e.method === 'GET' && e.lastEventId === undefined
    const get = front.log.find(isGet) ?? await front.nextRequest(isGet)
    const other = (get.node + 1) % 3
    front.route((_req, body) => body.includes('"notify"') ? other : undefined)
    // One message through the GET stream first: the client then holds a cursor (a stream killed
    // before its first bytes arrive cannot be resumed; the client opens a fresh one).
    await client.callTool({ name: 'notify', arguments: { text: 'zero' } })
    await untilNotifications(1)
    const resumed = front.nextRequest(e => e.method === 'GET' && (e.lastEventId ?? '').includes('/_GET_stream/'), 15_000)
    await nodes[get.node]!.kill()
    // Sent while the client has no GET stream: kept in Redis for the resume.
    await client.callTool({ name: 'notify', arguments: { text: 'one' } })
    await client.callTool({ name: 'notify', arguments: { text: 'two' } })
    const resume = await resumed
    expect(resume.node).not.toBe(get.node)
    await untilNotifications(3)
    await client.callTool({ name: 'notify', arguments: { text: 'three' } })
    await untilNotifications(4)
    expect(notifications).toEqual(['zero', 'one', 'two', 'three'])
  })

  it('answers 503 with Retry-After and a JSON-RPC error while Redis is down, keeps every node up, and recovers by itself', async () => {
    const { front, nodes, redis } = await startCluster()
    const init = await send(front.url, { body: initializeMessage() })
    const id = init.headers.get('mcp-session-id')!
    expect((await send(front.url, { sessionId: id, body: call('echo', { text: 'before' }) })).status).toBe(200)
    await redis.stop()
    for (let i = 0; i < 3; i++) {
      for (const r of [await send(front.url, { sessionId: id, body: call('echo', { text: 'during' }) }), await send(front.url, { body: initializeMessage() })]) {
        expect(r.status).toBe(503)
        expect(r.headers.get('retry-after')).toBe('1')
        expect(r.json).toMatchObject({ jsonrpc: '2.0', error: { code: -32000, data: { code: 'MCPS_STORE_FAILED' } }, id: null })
      }
    }
    expect(nodes.every(n => n.child.exitCode === null && n.child.signalCode === null)).toBe(true)
    await redis.start()
    // Each node's client reconnects on its own backoff (<= 2 s): wait for every node, bounded.
    // The restarted Redis is empty (no persistence here): the old session is gone, new ones work everywhere.
    let fresh: string | null = null
    for (const node of [0, 1, 2]) {
      front.route(() => node)
      let status = 0
      for (let attempt = 0; attempt < 100 && status !== 200; attempt++) {
        const r = await send(front.url, { body: initializeMessage() })
        status = r.status
        fresh ??= r.headers.get('mcp-session-id')
        if (status !== 200) await new Promise(resolve => setTimeout(resolve, 100))
      }
      expect(status, `node ${node} after Redis returned`).toBe(200)
    }
    for (const node of [0, 1, 2]) {
      front.route(() => node)
      expect((await send(front.url, { sessionId: id, body: call('echo', { text: 'old' }) })).status).toBe(404)
      expect((await send(front.url, { sessionId: fresh!, body: call('echo', { text: `after ${node}` }) })).status).toBe(200)
    }
    expect(nodes.every(n => n.child.exitCode === null && n.child.signalCode === null)).toBe(true)
  })
})
