/**
 * A client's mistake is a 4xx with a JSON-RPC error saying what to do,
 * never a 5xx (a client that obeys Retry-After would retry it for ever), and
 * never touches another session.
 */
import { describe, expect, it } from 'vitest'
import { expectRefusal, initializeBody, postHeaders, rpc, TARGETS, useTarget } from './target.js'

/** `{ a: { a: … } }`, `depth` levels deep. */
function nested(depth: number): unknown {
  let value: unknown = {}
  for (let i = 0; i < depth; i++) value = { a: value }
  return value
}

describe.each(TARGETS)('client errors ($entry entry, $store store)', ({ entry, store }) => {
  const target = useTarget(entry, store)

  it('answers capabilities nested 2,000 deep with 400, not 503 with Retry-After', async () => {
    const bystander = await target.session()
    const answer = await target.raw({ headers: postHeaders(), body: initializeBody({ experimental: nested(2_000) }) })
    expectRefusal(answer, 400, 'MCPS_NESTING_TOO_DEEP')
    await target.expectUntouched(bystander)
    await target.expectNothingReported()
  })

  it('answers a deeply nested message in a session with 400 and keeps the session', async () => {
    const id = await target.session()
    const answer = await target.raw({ headers: postHeaders(id), body: rpc('tools/call', { name: 'echo', arguments: { text: 'x', extra: nested(500) } }) })
    expectRefusal(answer, 400, 'MCPS_NESTING_TOO_DEEP')
    await target.expectUntouched(id)
  })

  it('answers an unsupported MCP-Protocol-Version with 400 before the session is touched', async () => {
    const id = await target.session()
    const answer = await target.raw({ headers: { ...postHeaders(id), 'mcp-protocol-version': '1999-01-01' }, body: rpc('tools/list') })
    expectRefusal(answer, 400, 'MCPS_PROTOCOL_VERSION_UNSUPPORTED')
    await target.expectUntouched(id)
  })

  it.each([
    ['with a space', 'abc def'],
    ['over 256 characters', 'a'.repeat(257)]
  ])('answers a session id %s with 400', async (_, bad) => {
    const answer = await target.raw({ headers: postHeaders(bad), body: rpc('tools/list') })
    expectRefusal(answer, 400, 'MCPS_SESSION_ID_INVALID')
  })

  it('answers a second initialize on a live session with 400 and keeps it', async () => {
    const id = await target.session()
    expectRefusal(await target.raw({ headers: postHeaders(id), body: initializeBody() }), 400, 'MCPS_ALREADY_INITIALIZED')
    await target.expectUntouched(id)
  })

  it('answers an empty body with 400 -32700', async () => {
    const id = await target.session()
    const answer = await target.raw({ headers: postHeaders(id), body: '' })
    expectRefusal(answer, 400, 'MCPS_PARSE_ERROR')
    expect(answer.json.error.code).toBe(-32700)
    await target.expectUntouched(id)
  })

  it('accepts a JSON Content-Type with parameters', async () => {
    const answer = await target.raw({ headers: { ...postHeaders(), 'content-type': 'application/json; charset=utf-8' }, body: initializeBody() })
    expect(answer.status).toBe(200)
  })

  it('answers an unknown session with 404 -32001 telling the client to initialize again', async () => {
    const answer = await target.raw({ headers: postHeaders('c29tZS1vdGhlci1ub2RlLWlk'), body: rpc('tools/list') })
    expectRefusal(answer, 404, 'MCPS_SESSION_NOT_FOUND')
    expect(answer.json.error).toMatchObject({ code: -32001, message: expect.stringContaining('initialize') })
    await target.expectNothingReported()
  })
})
