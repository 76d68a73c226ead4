/**
 * Eviction cannot be aimed at other callers: one caller (here: another
 * machine, 127.0.0.2, without auth) opening many sessions is held to its own
 * quota, a busy session is never evicted, and when every session is busy a
 * new one is refused with 503 + Retry-After instead of ending a live stream.
 */
import { once } from 'node:events'
import { request, type IncomingMessage } from 'node:http'
import { describe, expect, it } from 'vitest'
import { expectRefusal, initializeBody, postHeaders, PROTOCOL, TARGETS, useTarget } from './target.js'

const ATTACKER = '127.0.0.2'

/** Opens a GET stream on `id` and keeps it open until the test ends; the session is busy meanwhile. */
async function holdStream(port: number, id: string, cleanups: Array<() => void>): Promise<IncomingMessage> {
  const req = request({ host: '127.0.0.1', port, method: 'GET', path: '/mcp', agent: false, headers: { accept: 'text/event-stream', 'mcp-session-id': id, 'mcp-protocol-version': PROTOCOL } })
  cleanups.push(() => req.destroy())
  req.end()
  const [response] = await once(req, 'response') as [IncomingMessage]
  expect(response.statusCode).toBe(200)
  response.resume()
  return response
}

describe.each(TARGETS)('eviction ($entry entry, $store store)', ({ entry, store }) => {
  describe('per-caller quota (default options)', () => {
    const target = useTarget(entry, store)

    it('holds one caller opening 150 sessions to its quota of 100 and touches nobody else', async () => {
      const bystanders = [await target.session(), await target.session()]
      const opened: Array<{ status: number; id?: string; code?: string }> = []
      for (let i = 0; i < 150; i++) {
        const answer = await target.raw({ headers: postHeaders(), body: initializeBody(), from: ATTACKER })
        opened.push({ status: answer.status, id: answer.headers['mcp-session-id'] as string | undefined, code: answer.json?.error?.data?.code })
      }
      const stats = await target.stats()
      if (store === 'memory') {
        // At the quota the caller's own least recently active session makes room: all 150 opened, 50 of its own ended.
        expect(opened.filter(o => o.status === 200)).toHaveLength(150)
        expect(stats.closed.filter(c => c.reason === 'evicted').map(c => c.id)).toEqual(opened.slice(0, 50).map(o => o.id))
      } else {
        // Across nodes sessions may be busy elsewhere: past the quota the caller is refused.
        expect(opened.slice(0, 100).every(o => o.status === 200)).toBe(true)
        expect(opened.slice(100).map(o => [o.status, o.code])).toEqual(Array(50).fill([429, 'MCPS_TOO_MANY_SESSIONS']))
        expect(stats.closed).toEqual([])
      }
      await target.expectUntouched(...bystanders)
    }, 60_000)
  })

  // A shared store has no maxSessions (it would need a count across nodes): nothing to aim there.
  if (store === 'memory') describe('at capacity (maxSessions 3)', () => {
    const target = useTarget(entry, store, { maxSessions: 3 })

    it('never evicts a session with an open stream, and refuses with 503 + Retry-After when all are busy', async () => {
      const cleanups: Array<() => void> = []
      try {
        const streaming = [await target.session(), await target.session()]
        for (const id of streaming) await holdStream(target.port(), id, cleanups)
        const idle = await target.session()
        // Room is made from the idle one only.
        const fourth = await target.session({ from: ATTACKER })
        await target.expectUntouched(...streaming)
        expect((await target.stats()).closed).toEqual([{ id: idle, reason: 'evicted' }])
        await holdStream(target.port(), fourth, cleanups)
        const refused = await target.raw({ headers: postHeaders(), body: initializeBody(), from: ATTACKER })
        expectRefusal(refused, 503, 'MCPS_AT_CAPACITY')
        expect(refused.headers['retry-after']).toBe('5')
        await target.expectUntouched(...streaming, fourth)
      } finally {
        for (const cleanup of cleanups) cleanup()
      }
    })

    it('evicts the least recently active idle session, not the oldest one', async () => {
      const stats = await target.stats()
      expect(stats.local).toBeLessThanOrEqual(3)
      const [a, b, c] = [await target.session(), await target.session(), await target.session()]
      expect((await target.echo(a)).status).toBe(200)
      await target.session()
      const closed = (await target.stats()).closed.map(x => x.id)
      expect(closed).toContain(b)
      expect(closed).not.toContain(a)
      expect(closed).not.toContain(c)
    })
  })
})
