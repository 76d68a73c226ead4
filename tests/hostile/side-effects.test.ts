/**
 * An initialize the manager refuses has no side effect: no createServer, no
 * eviction, no session, whatever the reason (Accept, Content-Type, a broken
 * initialize, a foreign Host) — even at capacity with an idle session there.
 */
import { describe, expect, it } from 'vitest'
import { expectRefusal, initializeBody, postHeaders, rpc, TARGETS, useTarget } from './target.js'

const refused: Array<[string, Record<string, string>, string, number, string]> = [
  ['Accept without text/event-stream', { accept: 'application/json' }, initializeBody(), 406, 'MCPS_NOT_ACCEPTABLE'],
  ['a Content-Type other than JSON', { 'content-type': 'text/plain' }, initializeBody(), 415, 'MCPS_UNSUPPORTED_MEDIA_TYPE'],
  ['an initialize without clientInfo', {}, rpc('initialize', { protocolVersion: '2025-11-25', capabilities: {} }), 400, 'MCPS_INVALID_INITIALIZE'],
  ['a foreign Host', { host: 'evil.example.com' }, initializeBody(), 403, 'MCPS_HOST_NOT_ALLOWED'],
  ['a body that is not JSON', {}, '{"jsonrpc": "2.0", "id": 1, "meth', 400, 'MCPS_PARSE_ERROR'],
  ['a batch with initialize and another message', {}, `[${initializeBody()}, ${rpc('tools/list', {}, 2)}]`, 400, 'MCPS_INVALID_REQUEST']
]

describe.each(TARGETS)('refused initialize ($entry entry, $store store)', ({ entry, store }) => {
  const target = useTarget(entry, store, { maxSessions: 1 })

  it.each(refused)('refuses %s without running createServer or evicting', async (_, headers, body, status, code) => {
    const idle = await target.session()
    const before = await target.stats()
    const answer = await target.raw({ headers: { ...postHeaders(), ...headers }, body })
    expectRefusal(answer, status, code)
    const after = await target.stats()
    expect(after.servers).toBe(before.servers)
    expect(after.created).toEqual(before.created)
    expect(after.closed).toEqual(before.closed)
    await target.expectUntouched(idle)
    await target.expectNothingReported()
  })
})
