/**
 * The haproxy helper behaves like the balancer the fault suite claims to put
 * in front of the nodes: no stickiness, idle streams cut by `timeout server`,
 * a request a node received never sent to another, dead nodes routed around,
 * frozen ones taken out by the health check, and the runtime API.
 */
import { once } from 'node:events'
import { createServer as createTcpServer, type Socket } from 'node:net'
import { describe, expect, it, onTestFinished } from 'vitest'
import { startHaproxy } from '../helpers/haproxy.js'
import { closeServer } from '../helpers/listen.js'
import { backend, keepAliveAgent, readFor, send } from './backends.js'

describe('haproxy helper', { timeout: 30_000 }, () => {
  it('sends consecutive requests on one client connection to every node in turn', async () => {
    const nodes = await Promise.all(['a', 'b', 'c'].map(backend))
    const proxy = await startHaproxy(nodes)
    const agent = keepAliveAgent()
    const names: string[] = []
    for (let i = 0; i < 6; i++) names.push((await send(proxy.url, agent)).body)
    expect([...names].sort()).toEqual(['a', 'a', 'b', 'b', 'c', 'c'])
    expect(new Set(names.slice(0, 3)).size).toBe(3)
  })

  it('cuts an event stream that stays idle longer than timeout server, and logs it as a server timeout', async () => {
    const node = await backend('a')
    const proxy = await startHaproxy([node], { timeoutServerMs: 800 })
    const started = Date.now()
    const { text, ended } = await readFor(await fetch(proxy.url.replace('/mcp', '/sse')), 10_000)
    expect(text).toContain('data: first')
    expect(ended, 'the stream ended before the reader gave up').toBe(true)
    expect(Date.now() - started).toBeGreaterThanOrEqual(700)
    const entry = proxy.log.find(e => e.method === 'GET') ?? (await once(proxy.events, 'request'))[0]
    expect(entry.termination.slice(0, 2)).toBe('sD')
  })

  it('never sends a POST a node received to another node, even when that node dies before answering', async () => {
    const nodes = await Promise.all(['a', 'b'].map(backend))
    const proxy = await startHaproxy(nodes)
    const answer = await send(proxy.url.replace('/mcp', '/die'), keepAliveAgent(), 'POST')
    expect(answer.status).toBe(502)
    expect(nodes.flatMap(n => n.served)).toEqual(['POST /die'])
  })

  it('routes around a node whose port refuses connections, before any health check ran', async () => {
    const nodes = await Promise.all(['a', 'b'].map(backend))
    const proxy = await startHaproxy(nodes, { checkIntervalMs: 60_000 })
    await closeServer(nodes[1]!.server)
    const agent = keepAliveAgent()
    const answers = await Promise.all(Array.from({ length: 4 }, () => send(proxy.url, agent)))
    expect(answers.map(a => `${a.status} ${a.body}`)).toEqual(['200 a', '200 a', '200 a', '200 a'])
  })

  it('takes a node that accepts connections but never answers out of the pool by its health check', async () => {
    const good = await backend('a')
    // A frozen process: the kernel completes the handshake, nothing ever answers.
    const sockets = new Set<Socket>()
    const frozen = createTcpServer(socket => {
      sockets.add(socket)
      socket.on('error', () => {})
    })
    frozen.listen(0, '127.0.0.1')
    await once(frozen, 'listening')
    onTestFinished(() => {
      for (const s of sockets) s.destroy()
      frozen.close()
    })
    const proxy = await startHaproxy([good, { name: 'frozen', port: (frozen.address() as { port: number }).port }], { checkIntervalMs: 200 })
    await proxy.waitForServer('frozen', 'DOWN', 5_000)
    const agent = keepAliveAgent()
    for (let i = 0; i < 4; i++) expect((await send(proxy.url, agent)).body).toBe('a')
  })

  it('puts a node in maintenance and back through the runtime API', async () => {
    const nodes = await Promise.all(['a', 'b'].map(backend))
    const proxy = await startHaproxy(nodes)
    await proxy.setServer('b', 'maint')
    expect((await proxy.serverStates()).b).toBe('MAINT')
    const agent = keepAliveAgent()
    for (let i = 0; i < 4; i++) expect((await send(proxy.url, agent)).body).toBe('a')
    await proxy.setServer('b', 'ready')
    await proxy.waitForServer('b', 'UP')
    const names = new Set<string>()
    for (let i = 0; i < 4; i++) names.add((await send(proxy.url, agent)).body)
    expect([...names].sort()).toEqual(['a', 'b'])
  })
})
