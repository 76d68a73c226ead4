/**
 * A Redis that stops answering without closing its connections (SIGSTOP of
 * a private redis-server: a frozen VM, a stalled failover): every command
 * fails once `commandTimeoutMs` has passed. A request that needs Redis
 * before anything is sent gets 503 with Retry-After and a JSON-RPC error; a
 * call already answering still delivers its answer once its write has timed
 * out (reported), and that write, tried again, lands once Redis is back; from
 * then on each message waits for its own write (a notification that cannot be
 * kept fails its send); the node works again once Redis does.
 */
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { describe, expect, it, onTestFinished } from 'vitest'
import { z } from 'zod'
import { redisSessions } from '@mcp-sessions/redis'
import { systemClock } from '@mcp-sessions/server'
import { ACCEPT, initialize, initializeMessage, PROTOCOL, send, startManager } from '../server/fixture.js'
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

/** A tools/call answered on an SSE stream: its event ids and its text. */
async function streamedEcho(url: string, sessionId: string, text: string): Promise<{ status: number; ids: string[]; body: string }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { accept: ACCEPT, 'content-type': 'application/json', 'mcp-session-id': sessionId, 'mcp-protocol-version': PROTOCOL },
    body: JSON.stringify({ jsonrpc: '2.0', id: 4, method: 'tools/call', params: { name: 'echo', arguments: { text } } })
  })
  const body = await response.text()
  return { status: response.status, ids: [...body.matchAll(/^id: (.+)$/gm)].map(m => m[1]!), body }
}

async function timed<T>(work: Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now()
  const value = await work
  return { value, ms: performance.now() - started }
}

describe('a frozen Redis', { timeout: 60_000 }, () => {
  it('answers 503 with Retry-After within commandTimeoutMs, delivers a call\'s answer it could not store yet, stores it once Redis is back, and recovers on SIGCONT', async () => {
    const redis = await startRedis()
    const redisErrors: unknown[] = []
    const backend = await redisSessions({ url: redis.url, commandTimeoutMs: 300, onError: error => void redisErrors.push(error) })
    // The manager's clock stands still while Redis is frozen. A node serves a session on its last store check for
    // up to 1 s; the steps below take about 0.5 s, but on a loaded machine they took longer, so the session needed a
    // new check and got 503 before its call could run (three of four runs of the package suite on one day).
    let heldAt: number | undefined
    const clock = { ...systemClock, now: () => heldAt ?? Date.now() }
    const { url, log } = await startManager({ createServer: server, clock, ...backend })
    // Runs before the manager's shutdown (hooks run last first), which needs Redis, should an assertion fail while it is frozen.
    onTestFinished(() => redis.resume())
    const id = await initialize(url)
    expect((await echo(url, id, 'before')).json).toMatchObject({ result: { content: [{ text: 'before' }] } })
    heldAt = Date.now()
    redis.pause()
    // The session is live here: the call runs; the answer is held until its write to Redis is answered, which
    // times out (reported); then it goes out, and the write is tried again.
    const during = await timed(streamedEcho(url, id, 'during'))
    expect(during.value.status).toBe(200)
    expect(during.value.body).toContain('"text":"during"')
    expect(during.ms).toBeGreaterThanOrEqual(250)
    expect(during.ms).toBeLessThan(2_000)
    expect(redisErrors.length, 'Redis errors reported').toBeGreaterThan(0)
    // From now on each message waits for its own write. A notification the store cannot keep fails its send: the
    // tool knows (a silent live send could be lost). The call's answer still goes out, unstored, and is reported.
    const progress = await send(url, { sessionId: id, body: { jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'progress', arguments: {} } } })
    expect(progress.json).toMatchObject({ result: { content: [{ text: 'notification failed' }] } })
    expect(log.errors.map(e => e.code)).toContain('MCPS_STORE_FAILED')
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
    // The answer sent while Redis was frozen was stored once it was back, once (the timed-out write ran too, on
    // SIGCONT: its retry skips what is there): resuming its stream replays it.
    const resumed = await fetch(url, { headers: { accept: ACCEPT, 'mcp-session-id': id, 'mcp-protocol-version': PROTOCOL, 'last-event-id': during.value.ids[0]! } })
    expect(resumed.status).toBe(200)
    expect((await resumed.text()).match(/"text":"during"/g)).toHaveLength(1)
    // And the writer is past it: a call made now is stored too (a resume of its stream replays its answer at once).
    const later = await streamedEcho(url, id, 'later')
    const replayed = await fetch(url, { headers: { accept: ACCEPT, 'mcp-session-id': id, 'mcp-protocol-version': PROTOCOL, 'last-event-id': later.ids[0]! }, signal: AbortSignal.timeout(5_000) })
    expect(await replayed.text()).toContain('"text":"later"')
  })

  it('refuses a commandTimeoutMs that is not a positive number of milliseconds', async () => {
    for (const commandTimeoutMs of [0, -1, Number.NaN, 2 ** 31]) {
      await expect(redisSessions({ url: 'redis://127.0.0.1:1', commandTimeoutMs })).rejects.toMatchObject({ code: 'MCPS_INVALID_OPTIONS' })
    }
  })
})
