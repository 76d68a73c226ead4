/**
 * A session ended on one node is refused by the others (issue 16): a node on
 * Redis re-checks a session's record at most once a second, and releases its
 * copy as soon as another node announces the end over the relay. Two
 * managers in one process, each with its own backend on one redis-server.
 */
import { describe, expect, it } from 'vitest'
import { redisSessions, type RedisSessions } from '@mcp-sessions/redis'
import type { SessionRelay } from '@mcp-sessions/server'
import { echo, initialize, send, startManager } from '../server/fixture.js'
import { startRedis } from '../../helpers/redis.js'
import { settle } from '../../helpers/wait.js'

/** Window of a node that hears ends: with the default idle timeout, 1 s. */
const WINDOW_MS = 1_000

async function backend(url: string): Promise<RedisSessions> {
  return redisSessions({ url, onError: () => {} })
}

/** The Redis relay, with its ends handled by `ends` (`undefined`: the relay carries none, as a custom one may). */
function relayWith(relay: RedisSessions['relay'], ends?: Pick<SessionRelay, 'listenEnds'>): SessionRelay {
  const base: SessionRelay = {
    nodeId: relay.nodeId,
    forward: (nodeId, sessionId, message) => relay.forward(nodeId, sessionId, message),
    listen: deliver => relay.listen(deliver),
    close: () => relay.close()
  }
  return ends ? { ...base, announceEnd: id => relay.announceEnd(id), ...ends } : base
}

/** Two nodes on one Redis; node B's relay as `relayOfB` makes it from its backend's. */
async function twoNodes(relayOfB: (relay: RedisSessions['relay']) => SessionRelay = relay => relay) {
  const redis = await startRedis()
  const a = await startManager(await backend(redis.url))
  const onB = await backend(redis.url)
  const b = await startManager({ ...onB, relay: relayOfB(onB.relay) })
  const id = await initialize(a.url)
  // B continues the session (hydrate + touch) and holds it from now on.
  expect((await echo(b.url, id, 'on b')).status).toBe(200)
  expect(b.manager.size).toBe(1)
  return { a, b, id }
}

/** Resolves once `check` holds, polled every 10 ms; false after `ms`. */
async function eventually(check: () => boolean, ms = 3_000): Promise<boolean> {
  for (const deadline = Date.now() + ms; !check();) {
    if (Date.now() > deadline) return false
    await settle(10)
  }
  return true
}

describe('a session ended on another node', { timeout: 60_000 }, () => {
  it('is released by a node as soon as the end is announced, and refused there with 404', async () => {
    const { a, b, id } = await twoNodes()
    expect((await send(a.url, { method: 'DELETE', sessionId: id })).status).toBe(200)
    // No request reaches B: only the announcement can make it let go.
    expect(await eventually(() => b.manager.size === 0), 'node B released the session').toBe(true)
    const late = await echo(b.url, id, 'late')
    expect(late.status).toBe(404)
    expect(late.json.error.code).toBe(-32001)
    expect(b.manager.size).toBe(0)
  })

  it('is refused by a node that missed the announcement within the window of its last check', async () => {
    // B's relay subscribes to nothing: every announcement is lost on the way to it.
    const { a, b, id } = await twoNodes(relay => relayWith(relay, { listenEnds: async () => {} }))
    expect((await send(a.url, { method: 'DELETE', sessionId: id })).status).toBe(200)
    const deleted = Date.now()
    let status = 200
    while (status === 200 && Date.now() - deleted < 5 * WINDOW_MS) {
      status = (await echo(b.url, id, 'maybe stale')).status
      if (status === 200) await settle(50)
    }
    const noticedAfter = Date.now() - deleted
    expect(status).toBe(404)
    // The window, plus what a request or two take on a loaded machine.
    expect(noticedAfter).toBeLessThan(WINDOW_MS + 2_000)
    expect(b.manager.size).toBe(0)
  })

  it('is refused at once by a node whose relay carries no ends: it checks the store on every request', async () => {
    const { a, b, id } = await twoNodes(relay => relayWith(relay))
    expect((await send(a.url, { method: 'DELETE', sessionId: id })).status).toBe(200)
    expect((await echo(b.url, id, 'late')).status).toBe(404)
    expect(b.manager.size).toBe(0)
  })
})
