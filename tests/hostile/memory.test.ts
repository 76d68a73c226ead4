/**
 * Memory is bounded in bytes, not in messages: answers whose stream was cut
 * are kept for a resume only up to the per-session byte bound and the
 * node-wide budget, and go when `streamGraceMs` runs out, by time; an
 * initialize cannot make a session's state large.
 */
import { once } from 'node:events'
import { request, type IncomingMessage } from 'node:http'
import { describe, expect, it } from 'vitest'
import { expectRefusal, initializeBody, postHeaders, rpc, TARGETS, useTarget, type Stats } from './target.js'

const MiB = 1024 * 1024

/** Calls `big` and cuts the connection as soon as the answer's head arrives: the answer is dropped, kept for a resume. */
async function dropBigAnswer(port: number, sessionId: string, bytes: number): Promise<void> {
  const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/mcp', agent: false, headers: { ...postHeaders(sessionId) } })
  req.end(rpc('tools/call', { name: 'big', arguments: { bytes } }, Math.floor(Math.random() * 1e9)))
  const [response] = await once(req, 'response') as [IncomingMessage]
  expect(response.statusCode).toBe(200)
  req.destroy()
}

const grown = (after: Stats, before: Stats) => (after.heapUsed - before.heapUsed) / MiB

/** Waits until the server's heap (after a GC) is within `limitMiB` of `before`; bounded. */
async function heapSettles(stats: (gc: boolean) => Promise<Stats>, before: Stats, limitMiB: number): Promise<number> {
  let growth = Infinity
  for (let i = 0; i < 40 && growth > limitMiB; i++) {
    await new Promise(resolve => setTimeout(resolve, 250))
    growth = grown(await stats(true), before)
  }
  return growth
}

describe.each(TARGETS)('memory in bytes ($entry entry, $store store)', ({ entry, store }) => {
  const target = useTarget(entry, store, { streamGraceMs: 3_000, maxEventBytes: 24 * MiB })

  it('keeps at most the per-session byte bound of 25 dropped 4 MiB answers, and frees it by time', async () => {
    const bystander = await target.session()
    const id = await target.session()
    const before = await target.stats(true)
    for (let i = 0; i < 25; i++) await dropBigAnswer(target.port(), id, 4 * MiB)
    // In memory: the 8 MiB bound keeps two answers (25 unbounded would be 100 MiB). On Redis no answer is kept in
    // this process; what grows (~8 MiB measured, the same after 12 answers) is the Redis client's buffers for the
    // last large command, not a copy per answer.
    const held = grown(await target.stats(true), before)
    expect(held).toBeLessThan(store === 'memory' ? 24 : 12)
    // streamGraceMs (3 s) runs out with no new event in the session: the timer frees them.
    expect(await heapSettles(gc => target.stats(gc), before, 4)).toBeLessThan(4)
    await target.expectUntouched(bystander, id)
    await target.expectNothingReported()
  }, 60_000)

  it('holds all sessions together to the node-wide budget (maxEventBytes 24 MiB)', async () => {
    const ids = await Promise.all(Array.from({ length: 6 }, () => target.session()))
    const before = await target.stats(true)
    for (const id of ids) for (let i = 0; i < 2; i++) await dropBigAnswer(target.port(), id, 4 * MiB)
    // 12 answers of 4 MiB were dropped; the budget keeps at most 6 of them.
    expect(grown(await target.stats(true), before)).toBeLessThan(store === 'memory' ? 36 : 12)
    await target.expectUntouched(...ids)
  }, 60_000)

  it('refuses an initialize carrying 3.5 MiB of capabilities with 413 before reading it', async () => {
    const before = await target.stats(true)
    const capabilities = { experimental: { blob: { data: 'x'.repeat(3.5 * MiB) } } }
    const answer = await target.raw({ headers: postHeaders(), body: initializeBody(capabilities) })
    expectRefusal(answer, 413, 'MCPS_BODY_TOO_LARGE')
    expect(answer.json.error.message).toContain('65536')
    const after = await target.stats(true)
    expect(after.servers).toBe(before.servers)
    expect(grown(after, before)).toBeLessThan(4)
  })
})
