/**
 * What the manager on Redis asks of Redis, counted with MONITOR on a private
 * redis-server (issue 16): the commands a node sends per tools/call (each one
 * a request on the wire) and what an open GET stream costs while idle.
 */
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { describe, expect, it, onTestFinished } from 'vitest'
import { z } from 'zod'
import { redisSessions, type RedisSessionsOptions } from '@mcp-sessions/redis'
import { ACCEPT, initialize, PROTOCOL, send, startManager } from '../server/fixture.js'
import { readUntil } from '../../helpers/notifications.js'
import { startRedis } from '../../helpers/redis.js'
import { monitorRedis, sent } from '../../helpers/redis-monitor.js'
import { settle } from '../../helpers/wait.js'

function server(): McpServer {
  const mcp = new McpServer({ name: 'counted', version: '1.0.0' }, { capabilities: { logging: {} } })
  mcp.registerTool('echo', { inputSchema: { text: z.string() } }, ({ text }) => ({ content: [{ type: 'text', text }] }))
  mcp.registerTool('notify', { inputSchema: { text: z.string() } }, async ({ text }) => {
    await mcp.server.sendLoggingMessage({ level: 'info', data: text })
    return { content: [{ type: 'text', text: 'notified' }] }
  })
  return mcp
}

async function managerOnRedis(options: RedisSessionsOptions = {}) {
  const redis = await startRedis()
  const backend = await redisSessions({ url: redis.url, onError: () => {}, ...options })
  const { url } = await startManager({ createServer: server, ...backend })
  const monitor = await monitorRedis(redis.port)
  onTestFinished(() => monitor.close())
  const client = await redis.client()
  return { url, monitor, client }
}

const callTool = (url: string, sessionId: string, name: string, text: string) =>
  send(url, { sessionId, body: { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name, arguments: { text } } } })

/** The SSE event ids of a tools/call answer: `<tag>/<stream>/<entry>`. */
async function callForIds(url: string, sessionId: string, text: string): Promise<string[]> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { accept: ACCEPT, 'content-type': 'application/json', 'mcp-session-id': sessionId, 'mcp-protocol-version': PROTOCOL },
    body: JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'echo', arguments: { text } } })
  })
  return [...(await response.text()).matchAll(/^id: (.+)$/gm)].map(m => m[1]!)
}

describe('Redis commands per request', { timeout: 60_000 }, () => {
  it('sends one command per echo tools/call, the stored response, and the touch at most once a second', async () => {
    const { url, monitor } = await managerOnRedis()
    const id = await initialize(url)
    // Loads the scripts (EVALSHA falls back to EVAL once per script): the second call, past the window, touches.
    await callTool(url, id, 'echo', 'warm')
    await settle(1_100)
    await callTool(url, id, 'echo', 'warm again')
    const calls = 20
    let elapsedMs = 0
    const seen = await monitor.window(async () => {
      const started = Date.now()
      for (let i = 0; i < calls; i++) expect((await callTool(url, id, 'echo', `n${i}`)).json.result.content[0].text).toBe(`n${i}`)
      elapsedMs = Date.now() - started
    })
    const commands = sent(seen)
    expect(commands.map(c => c.command)).toEqual(Array(commands.length).fill('EVALSHA'))
    // One script per stored response; the touch (its HGET of the record) once per second of the run, plus the first.
    const touches = seen.filter(c => c.source === 'lua' && c.command === 'HGET').length
    expect(commands.length).toBe(calls + touches)
    expect(touches).toBeLessThanOrEqual(Math.ceil(elapsedMs / 1_000) + 1)
  })

  it('cuts a finished stream to its short TTL with the next request\'s stored response, or on its own when none follows', async () => {
    const { url, client } = await managerOnRedis({ finishedStreamTtlMs: 1_000 })
    const id = await initialize(url)
    const streamKey = (eventId: string) => `mcps:{${id}}:s:${eventId.split('/')[1]}`
    const first = streamKey((await callForIds(url, id, 'one')).at(-1)!)
    await callForIds(url, id, 'two')
    const pttl = async (key: string) => Number(await client.pTTL(key))
    // -2: already expired, which is the point of cutting it.
    const isCut = (ttl: number) => ttl === -2 || (ttl > 0 && ttl <= 1_000)
    const cut = await pttl(first)
    expect(isCut(cut), `PTTL ${cut}`).toBe(true)
    // No request follows this one: the retirement goes out by itself (after at most the short TTL here).
    const last = streamKey((await callForIds(url, id, 'three')).at(-1)!)
    const deadline = Date.now() + 5_000
    let ttl = await pttl(last)
    while (ttl > 1_000 && Date.now() < deadline) {
      await settle(100)
      ttl = await pttl(last)
    }
    expect(isCut(ttl), `PTTL ${ttl}`).toBe(true)
  })

  it('reads nothing for an open GET stream while nothing is stored on it, and still delivers the next message', async () => {
    const { url, monitor } = await managerOnRedis()
    const id = await initialize(url)
    const get = await fetch(url, { headers: { accept: ACCEPT, 'mcp-session-id': id, 'mcp-protocol-version': PROTOCOL } })
    expect(get.status).toBe(200)
    const reader = get.body!.getReader()
    onTestFinished(() => reader.cancel().catch(() => {}))
    // The priming event: the stream is open. Its follower's first reads (subscribed, then its own takeover marker) follow.
    await readUntil(reader, 'id: ')
    for (let quiet = 0; quiet < 20; quiet++) {
      if (!(await monitor.window(async () => void await settle(200), 0)).some(c => c.command === 'XRANGE')) break
    }
    // Longer than the 5 s the followers used to poll at.
    const idle = await monitor.window(async () => void await settle(6_000), 0)
    expect(idle.filter(c => c.command === 'XRANGE')).toEqual([])
    expect((await callTool(url, id, 'notify', 'after the quiet')).status).toBe(200)
    expect(await readUntil(reader, 'after the quiet')).toContain('after the quiet')
  })
})
