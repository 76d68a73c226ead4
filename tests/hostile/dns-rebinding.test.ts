/**
 * DNS rebinding: with the quick start's defaults, a request naming another
 * Host, or sent from another Origin, is refused with 403 before any session
 * is looked up, created, touched or ended (spec, Transports, Security Warning).
 */
import { once } from 'node:events'
import { request } from 'node:http'
import { describe, expect, it } from 'vitest'
import { ACCEPT, expectRefusal, initializeBody, postHeaders, PROTOCOL, rpc, TARGETS, useTarget } from './target.js'

describe.each(TARGETS)('DNS rebinding ($entry entry, $store store)', ({ entry, store }) => {
  const target = useTarget(entry, store)
  const evil = { host: 'evil.example.com', origin: 'http://evil.example.com' }

  it('refuses an initialize naming a foreign Host with 403 and creates nothing', async () => {
    const bystander = await target.session()
    const before = await target.stats()
    const answer = await target.raw({ headers: { ...postHeaders(), ...evil }, body: initializeBody() })
    expectRefusal(answer, 403, 'MCPS_HOST_NOT_ALLOWED')
    expect(answer.json.error.message).toContain('allowedHosts')
    const after = await target.stats()
    expect(after.servers).toBe(before.servers)
    expect(after.created).toEqual(before.created)
    await target.expectUntouched(bystander)
  })

  it('refuses a foreign Origin on an allowed Host with 403', async () => {
    const answer = await target.raw({ headers: { ...postHeaders(), origin: 'https://evil.example.com' }, body: initializeBody() })
    expectRefusal(answer, 403, 'MCPS_ORIGIN_NOT_ALLOWED')
    expect(answer.json.error.message).toContain('allowedOrigins')
  })

  it('accepts the loopback Host and Origin a local client sends', async () => {
    const answer = await target.raw({ headers: { ...postHeaders(), origin: `http://localhost:${target.port()}`, host: `localhost:${target.port()}` }, body: initializeBody() })
    expect(answer.status).toBe(200)
    expect(answer.headers['mcp-session-id']).toEqual(expect.any(String))
  })

  it('does not end a session on a DELETE from a foreign Origin', async () => {
    const id = await target.session()
    const answer = await target.raw({ method: 'DELETE', headers: { ...postHeaders(id), origin: evil.origin } })
    expectRefusal(answer, 403, 'MCPS_ORIGIN_NOT_ALLOWED')
    await target.expectUntouched(id)
  })

  it('does not take over the open GET stream of a session on a refused GET', async () => {
    const id = await target.session()
    const headers = { accept: 'text/event-stream', 'mcp-session-id': id, 'mcp-protocol-version': PROTOCOL, host: `127.0.0.1:${target.port()}` }
    const stream = request({ host: '127.0.0.1', port: target.port(), method: 'GET', path: '/mcp', headers, agent: false })
    stream.end()
    const [response] = await once(stream, 'response') as [import('node:http').IncomingMessage]
    expect(response.statusCode).toBe(200)
    let received = ''
    response.on('data', chunk => void (received += String(chunk)))
    try {
      const refused = await target.raw({ method: 'GET', headers: { ...headers, origin: evil.origin } })
      expectRefusal(refused, 403, 'MCPS_ORIGIN_NOT_ALLOWED')
      // The owner's stream is still the session's: a notification still arrives on it.
      const sent = await target.raw({ headers: postHeaders(id), body: rpc('tools/call', { name: 'notify', arguments: { text: 'on the owner stream' } }, 3) })
      expect(sent.status).toBe(200)
      for (let i = 0; i < 100 && !received.includes('on the owner stream'); i++) await new Promise(resolve => setTimeout(resolve, 20))
      expect(received).toContain('on the owner stream')
      expect(response.destroyed || response.complete).toBe(false)
    } finally {
      stream.destroy()
    }
  })

  // A web Request cannot carry TRACE: on that entry point the framework refuses it before the manager sees it.
  if (entry === 'node') it('answers TRACE with 405 before anything else', async () => {
    const answer = await target.raw({ method: 'TRACE', headers: { accept: ACCEPT } })
    expectRefusal(answer, 405, 'MCPS_METHOD_NOT_ALLOWED')
    expect(answer.headers.allow).toBe('GET, POST, DELETE')
    await target.expectNothingReported()
  })

  it('answers a malformed Host with 4xx, never 5xx', async () => {
    const answer = await target.raw({ headers: { ...postHeaders(), host: 'a@b:1' }, body: initializeBody() })
    // node:http hands the raw header to the manager; a web framework cannot build a Request from it and refuses it itself.
    if (entry === 'node') expectRefusal(answer, 400, 'MCPS_HOST_INVALID')
    else expect(answer.status).toBe(400)
    await target.expectNothingReported()
  })
})
