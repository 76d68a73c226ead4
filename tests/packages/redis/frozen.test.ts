/**
 * A Redis that stops answering without closing its connections (SIGSTOP of
 * a private redis-server: a frozen VM, a stalled failover): every command
 * fails once `commandTimeoutMs` has passed. A request that needs Redis
 * before anything is sent gets 503 with Retry-After and a JSON-RPC error; a
 * call already answering still delivers its answer (live, unstored, reported);
 * the node works again once Redis does.
 */
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { redisSessions } from '@mcp-sessions/redis'
import { systemClock } from '@mcp-sessions/server'
import { initialize, initializeMessage, send, startManager } from '../server/fixture.js'
import { startRedis } from '../../helpers/redis.js'

function server(): McpServer {
  const mcp = new McpServer({ name: 'frozen', version: '1.0.0' })
  mcp.registerTool('echo', { inputSchema: { text: z.string() } }, ({ text }) => ({ content: [{ type: 'text', text }] }))
  // Says whether a message on its own call's stream could be sent (stored first).
  mcp.registerTool('progress', {}, async extra => {
    const sent = await extra.sendNotification({ method: 'notifications/message', params: { level: 'info', data: 'step' } }).then(() => 'sent', () => 'failed')
    return { content: [{ type: 'text', text: `notification ${sent}` }] }
  })
  return mcp
}

const echo = (url: string, sessionId: string, text: string) =>
  send(url, { sessionId, body: { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'echo', arguments: { text } } } })

async function timed<T>(work: Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now()
  const value = await work
  return { value, ms: performance.now() - started }
}

describe('a frozen Redis', { timeout: 60_000 }, () => {
  it('answers 503 with Retry-After within commandTimeoutMs, delivers a call\'s answer it could not store, and recovers on SIGCONT', async () => {
    const redis = await startRedis()
    const backend = await redisSessions({ url: redis.url, commandTimeoutMs: 300, onError: () => {} })
    // The manager's clock stands still while Redis is frozen. A node serves a session on its last store check for
    // up to 1 s; the steps below take about 0.5 s, but on a loaded machine they took longer, so the session needed a
    // new check and got 503 before its call could run (three of four runs of the package suite on one day).
    let heldAt: number | undefined
    const clock = { ...systemClock, now: () => heldAt ?? Date.now() }
    const { url, log } = await startManager({ createServer: server, clock, ...backend })
    const id = await initialize(url)
    expect((await echo(url, id, 'before')).json).toMatchObject({ result: { content: [{ text: 'before' }] } })
    heldAt = Date.now()
    redis.pause()
    // The session is live here: the call runs, its answer's write to Redis times out, the answer goes out anyway.
    const during = await timed(echo(url, id, 'during'))
    expect(during.value.status).toBe(200)
    expect(during.value.json).toMatchObject({ result: { content: [{ text: 'during' }] } })
    expect(during.ms).toBeGreaterThanOrEqual(250)
    expect(during.ms).toBeLessThan(2_000)
    expect(log.errors.map(e => e.code)).toContain('MCPS_STORE_FAILED')
    // A notification the store cannot keep fails its send: the tool knows (a silent live send could be lost).
    const progress = await send(url, { sessionId: id, body: { jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'progress', arguments: {} } } })
    expect(progress.json).toMatchObject({ result: { content: [{ text: 'notification failed' }] } })
    // A new session needs its record written: it waits for Redis, then fails.
    const { value: refused, ms } = await timed(send(url, { body: initializeMessage() }))
    expect(refused.status).toBe(503)
    expect(refused.headers.get('retry-after')).toBe('1')
    expect(refused.json).toMatchObject({ jsonrpc: '2.0', error: { code: -32000, data: { code: 'MCPS_STORE_FAILED' } }, id: null })
    expect(ms).toBeGreaterThanOrEqual(250)
    expect(ms).toBeLessThan(2_000)
    redis.resume()
    heldAt = undefined
    expect((await echo(url, id, 'after')).json).toMatchObject({ result: { content: [{ text: 'after' }] } })
    const fresh = await send(url, { body: initializeMessage() })
    expect(fresh.status).toBe(200)
  })

  it('refuses a commandTimeoutMs that is not a positive number of milliseconds', async () => {
    for (const commandTimeoutMs of [0, -1, Number.NaN, 2 ** 31]) {
      await expect(redisSessions({ url: 'redis://127.0.0.1:1', commandTimeoutMs })).rejects.toMatchObject({ code: 'MCPS_INVALID_OPTIONS' })
    }
  })
})
