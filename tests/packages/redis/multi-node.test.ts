/**
 * Any node serves any session: three node processes on one Redis behind a
 * per-request round-robin front, driven by the SDK client.
 *
 * @see https://github.com/modelcontextprotocol/typescript-sdk/issues/1658
 */
import { describe, expect, it } from 'vitest'
import { ACCEPT, initializeMessage, PROTOCOL, send } from '../server/fixture.js'
import { readToEnd, readUntil } from '../../helpers/notifications.js'
import { connectThrough, startCluster, texts } from './cluster.js'

const call = (name: string, args: Record<string, unknown>, id = 2) => ({ jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: args } })

describe('multi-node on Redis', { timeout: 60_000 }, () => {
  it('initializes on one node and serves every later request on the others', async () => {
    const { front, allStats } = await startCluster()
    // initialize on node 0; everything after it alternates between nodes 1 and 2.
    let turn = 0
    front.route((req, body) => body.includes('"initialize"') ? 0 : 1 + (turn++ % 2))
    const { client, transport } = await connectThrough(front.url)
    // A node that continues the session names it in its answer, as the node that created it does.
    const raw = await send(front.url, { sessionId: transport.sessionId!, body: { jsonrpc: '2.0', id: 9, method: 'tools/list' } })
    expect(raw.status).toBe(200)
    expect(raw.headers.get('mcp-session-id')).toBe(transport.sessionId)
    const served = new Set<string>()
    for (let i = 0; i < 4; i++) {
      const result = await client.callTool({ name: 'echo', arguments: { text: `hello ${i}` } })
      expect(texts(result)[0]).toBe(`hello ${i}`)
      served.add(texts(result)[1]!)
    }
    expect([...served].sort()).toEqual(['served by node-1', 'served by node-2'])
    const withSession = front.log.filter(e => e.sessionId !== undefined)
    expect(withSession.length).toBeGreaterThan(4)
    expect(withSession.every(e => e.node !== 0)).toBe(true)
    const stats = await allStats()
    expect(stats.map(s => s.created)).toEqual([1, 0, 0])
    expect(stats[1]!.hydrated).toBe(1)
    expect(stats[2]!.hydrated).toBe(1)
  })

  it('delivers a notification sent before the first GET stream to that stream, opened on another node', async () => {
    const { nodes } = await startCluster(2)
    const on = (i: number) => `http://127.0.0.1:${nodes[i]!.port}/mcp`
    const init = await send(on(0), { body: initializeMessage() })
    const id = init.headers.get('mcp-session-id')!
    expect((await send(on(0), { sessionId: id, body: call('notify', { text: 'sent before any GET' }) })).status).toBe(200)
    const get = await fetch(on(1), { headers: { accept: ACCEPT, 'mcp-session-id': id, 'mcp-protocol-version': PROTOCOL } })
    expect(get.status).toBe(200)
    const reader = get.body!.getReader()
    const text = await readUntil(reader, 'sent before any GET')
    await reader.cancel()
    expect(text).toContain('sent before any GET')
  })

  it('keeps one GET stream per session across nodes: a newer one on another node ends the older', async () => {
    const { nodes } = await startCluster(2)
    const on = (i: number) => `http://127.0.0.1:${nodes[i]!.port}/mcp`
    const id = (await send(on(0), { body: initializeMessage() })).headers.get('mcp-session-id')!
    const headers = { accept: ACCEPT, 'mcp-session-id': id, 'mcp-protocol-version': PROTOCOL }
    const older = (await fetch(on(0), { headers })).body!.getReader()
    await older.read()
    const newer = (await fetch(on(1), { headers })).body!.getReader()
    await newer.read()
    const olderText = await readToEnd(older)
    expect((await send(on(0), { sessionId: id, body: call('notify', { text: 'exactly once' }) })).status).toBe(200)
    const newerText = await readUntil(newer, 'exactly once')
    await newer.cancel()
    expect(newerText).toContain('exactly once')
    expect(olderText).not.toContain('exactly once')
  })

  it('keeps a resumed GET stream open when it reads the announcement of the stream it replaces', async () => {
    const { nodes } = await startCluster(2)
    const on = (i: number) => `http://127.0.0.1:${nodes[i]!.port}/mcp`
    const id = (await send(on(0), { body: initializeMessage() })).headers.get('mcp-session-id')!
    const headers = { accept: ACCEPT, 'mcp-session-id': id, 'mcp-protocol-version': PROTOCOL }
    const first = (await fetch(on(0), { headers })).body!.getReader()
    const primed = new TextDecoder().decode((await first.read()).value)
    const cursor = /^id: (.+)$/m.exec(primed)![1]!
    await first.cancel()
    // The client resumes from before the first stream's announcement, twice in a row, on the other node.
    for (let resume = 0; resume < 2; resume++) {
      const again = (await fetch(on(1), { headers: { ...headers, 'last-event-id': cursor } })).body!.getReader()
      await again.read()
      expect((await send(on(0), { sessionId: id, body: call('notify', { text: `after resume ${resume}` }) })).status).toBe(200)
      const text = await readUntil(again, `after resume ${resume}`)
      await again.cancel()
      expect(text).toContain(`after resume ${resume}`)
    }
  })

  it('delivers a notification sent by one node on the GET stream open on another', async () => {
    const { front } = await startCluster()
    const { client, untilNotifications, notifications } = await connectThrough(front.url)
    const isGet = (e: { method: string; lastEventId: string | undefined }) => e.method === 'GET' && e.lastEventId === undefined
    // The client opens its GET stream right after connecting: it may already be in the log.
    const get = front.log.find(isGet) ?? await front.nextRequest(isGet)
    // The tool call goes to a node that does not hold the GET stream.
    front.route((_req, body) => body.includes('"notify"') ? (get.node + 1) % 3 : undefined)
    const result = await client.callTool({ name: 'notify', arguments: { text: 'from afar' } })
    expect(texts(result)[0]).toBe(`notified by node-${(get.node + 1) % 3}`)
    await untilNotifications(1)
    expect(notifications).toEqual(['from afar'])
  })

  it('routes an elicitation answer that lands on another node to the node that asked', async () => {
    const { front } = await startCluster()
    const { client } = await connectThrough(front.url, message => `yes to "${message}"`)
    // The tool call on node 1; the POST carrying the client's answer on node 2.
    front.route((_req, body) => body.includes('"ask"') ? 1 : body.includes('"result"') && !body.includes('"method"') ? 2 : undefined)
    const answerPosted = front.nextRequest(e => e.method === 'POST' && e.node === 2 && e.status === 202)
    const result = await client.callTool({ name: 'ask', arguments: { question: 'proceed?' } })
    expect(texts(result)).toEqual(['accept:yes to "proceed?"', 'asked by node-1'])
    await answerPosted
  })

  it('hydrates once per node for concurrent first requests, and never initializes again', async () => {
    const { front, allStats } = await startCluster()
    front.route((_req, body) => body.includes('"initialize"') ? 0 : undefined)
    const init = await send(front.url, { body: initializeMessage() })
    const id = init.headers.get('mcp-session-id')!
    expect(init.status).toBe(200)
    let n = 0
    front.route(() => 1 + (n++ % 2))
    await send(front.url, { sessionId: id, body: { jsonrpc: '2.0', method: 'notifications/initialized' } })
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => send(front.url, { sessionId: id, body: call('echo', { text: `c${i}` }, 10 + i) })))
    expect(results.map(r => r.status)).toEqual(Array(8).fill(200))
    expect(results.map(r => r.json.result.content[0].text)).toEqual(Array.from({ length: 8 }, (_, i) => `c${i}`))
    const stats = await allStats()
    expect(stats.map(s => s.created)).toEqual([1, 0, 0])
    expect(stats.map(s => s.servers)).toEqual([1, 1, 1])
  })

  it('serves five sessions from a node that keeps two in memory, without ending any', async () => {
    const { front, stats, allStats } = await startCluster(3, i => (i === 1 ? { MAX_LOCAL_SESSIONS: '2' } : {}) as Record<string, string>)
    front.route((_req, body) => body.includes('"initialize"') ? 0 : 1)
    const ids: string[] = []
    for (let i = 0; i < 5; i++) {
      const init = await send(front.url, { body: initializeMessage() })
      ids.push(init.headers.get('mcp-session-id')!)
    }
    for (let round = 0; round < 2; round++) {
      for (const id of ids) {
        const r = await send(front.url, { sessionId: id, body: call('echo', { text: `${id}-${round}` }) })
        expect(r.status).toBe(200)
        expect(r.json.result.content).toEqual([{ type: 'text', text: `${id}-${round}` }, { type: 'text', text: 'served by node-1' }])
      }
    }
    const node1 = await stats(1)
    expect(node1.local).toBeLessThanOrEqual(2)
    // Every request after the first two needed a rehydrate: objects were dropped, sessions were not.
    expect(node1.hydrated).toBe(10)
    expect((await allStats()).map(s => s.closed)).toEqual([0, 0, 0])
  })

  it('ends a session everywhere on DELETE, wherever it lands', async () => {
    const { front } = await startCluster()
    front.route((_req, body) => body.includes('"initialize"') ? 0 : undefined)
    const init = await send(front.url, { body: initializeMessage() })
    const id = init.headers.get('mcp-session-id')!
    // Every node holds it now.
    for (const node of [0, 1, 2]) {
      front.route(() => node)
      expect((await send(front.url, { sessionId: id, body: call('echo', { text: 'x' }) })).status).toBe(200)
    }
    front.route(() => 1)
    expect((await send(front.url, { method: 'DELETE', sessionId: id })).status).toBe(200)
    for (const node of [0, 1, 2]) {
      front.route(() => node)
      const r = await send(front.url, { sessionId: id, body: call('echo', { text: 'x' }) })
      expect(r.status).toBe(404)
      expect(r.json.error.code).toBe(-32001)
    }
  })

  it('expires an idle session by its Redis TTL on every node, while an open GET stream keeps another alive', async () => {
    const { front, redis, allStats } = await startCluster(3, () => ({ IDLE_TIMEOUT_MS: '2000' }))
    const idle = (await send(front.url, { body: initializeMessage() })).headers.get('mcp-session-id')!
    const streaming = (await send(front.url, { body: initializeMessage() })).headers.get('mcp-session-id')!
    const client = await redis.client()
    const ttl = await client.pTTL(`mcps:{${idle}}:session`)
    // At most idleTimeoutMs + the refresh interval (idleTimeoutMs / 4): nothing scans, Redis expires it.
    expect(ttl).toBeGreaterThan(0)
    expect(ttl).toBeLessThanOrEqual(2_500)
    const abort = new AbortController()
    const get = await fetch(front.url, { headers: { accept: 'text/event-stream', 'mcp-session-id': streaming, 'mcp-protocol-version': PROTOCOL }, signal: abort.signal })
    expect(get.status).toBe(200)
    // Wait for the key itself to go: the behaviour under test is expiry in time.
    for (let i = 0; i < 100 && (await client.exists(`mcps:{${idle}}:session`)) === 1; i++) await new Promise(resolve => setTimeout(resolve, 100))
    expect(await client.exists(`mcps:{${idle}}:session`)).toBe(0)
    for (const node of [0, 1, 2]) {
      front.route(() => node)
      expect((await send(front.url, { sessionId: idle, body: call('echo', { text: 'late' }) })).status).toBe(404)
    }
    expect((await send(front.url, { sessionId: streaming, body: call('echo', { text: 'alive' }) })).status).toBe(200)
    abort.abort()
    // Nodes only dropped their local objects: no node ended a session itself.
    expect((await allStats()).map(s => s.closed)).toEqual([0, 0, 0])
  })

  it('rejects a Last-Event-ID of another session or stream and malformed ones, and keeps the session', async () => {
    const { front } = await startCluster()
    const open = async () => {
      const init = await send(front.url, { body: initializeMessage() })
      return init.headers.get('mcp-session-id')!
    }
    const a = await open()
    const b = await open()
    const response = await fetch(front.url, {
      method: 'POST',
      headers: { accept: ACCEPT, 'content-type': 'application/json', 'mcp-session-id': a, 'mcp-protocol-version': PROTOCOL },
      body: JSON.stringify(call('echo', { text: 'ids' }))
    })
    const eventIdOfA = /^id: (.+)$/m.exec(await response.text())![1]!
    const get = (sessionId: string, lastEventId: string) => send(front.url, { method: 'GET', sessionId, headers: { 'last-event-id': lastEventId } })
    const foreign = await get(b, eventIdOfA)
    expect(foreign.status).toBe(400)
    expect(foreign.json.error.data.code).toMatch(/^MCPS_EVENT_ID_/)
    const [tag, , entry] = eventIdOfA.split('/')
    for (const bad of [`${tag}/00000000-0000-4000-8000-000000000000/${entry}`, 'garbage', `${tag}/x/1-0/1`, '%00']) {
      const r = await get(a, bad)
      expect(r.status, bad).toBe(400)
      expect(r.json.error.data.code, bad).toMatch(/^MCPS_EVENT_ID_/)
    }
    expect((await send(front.url, { sessionId: a, body: call('echo', { text: 'still here' }) })).json.result.content[0].text).toBe('still here')
  })
})
