/**
 * The nginx helper runs the configuration the deployment docs give
 * (`proxy_buffering off`, HTTP/1.1 upstream keep-alive) and behaves as they
 * say: no stickiness, events pass while a stream stays open, a request a node
 * received is never sent to another.
 */
import { describe, expect, it } from 'vitest'
import { closeServer } from '../helpers/listen.js'
import { startNginx } from '../helpers/nginx.js'
import { backend, keepAliveAgent, readFor, send } from './backends.js'

describe('nginx helper', { timeout: 30_000 }, () => {
  it('sends consecutive requests on one client connection to every node in turn', async () => {
    const nodes = await Promise.all(['a', 'b', 'c'].map(backend))
    const proxy = await startNginx(nodes)
    const agent = keepAliveAgent()
    const names: string[] = []
    for (let i = 0; i < 6; i++) names.push((await send(proxy.url, agent)).body)
    expect([...names].sort()).toEqual(['a', 'a', 'b', 'b', 'c', 'c'])
  })

  it('passes an event while the stream stays open, and cuts it after proxy_read_timeout', async () => {
    const node = await backend('a')
    const proxy = await startNginx([node], { readTimeoutMs: 1_000 })
    const { text, ended } = await readFor(await fetch(proxy.url.replace('/mcp', '/sse')), 10_000)
    expect(text).toContain('data: first')
    expect(ended, 'nginx ended the idle stream').toBe(true)
  })

  it('never sends a POST a node received to another node, even when that node dies before answering', async () => {
    const nodes = await Promise.all(['a', 'b'].map(backend))
    const proxy = await startNginx(nodes)
    const answer = await send(proxy.url.replace('/mcp', '/die'), keepAliveAgent(), 'POST')
    expect(answer.status).toBe(502)
    expect(nodes.flatMap(n => n.served)).toEqual(['POST /die'])
  })

  it('routes around a node whose port refuses connections', async () => {
    const nodes = await Promise.all(['a', 'b'].map(backend))
    const proxy = await startNginx(nodes)
    await closeServer(nodes[1]!.server)
    const agent = keepAliveAgent()
    for (let i = 0; i < 4; i++) expect(await send(proxy.url, agent)).toEqual({ status: 200, body: 'a' })
  })
})
