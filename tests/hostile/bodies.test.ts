/**
 * Bodies: the method, headers, session id and Content-Length are checked
 * before a body is read; a body for an unknown session is never read; a slow
 * body times out; a body the client abandons is not a server fault.
 */
import { once } from 'node:events'
import { connect } from 'node:net'
import { describe, expect, it, onTestFinished } from 'vitest'
import { expectRefusal, initializeBody, postHeaders, rpc, TARGETS, useTarget } from './target.js'

const MiB = 1024 * 1024
const UNKNOWN = 'c29tZS1vdGhlci1ub2RlLWlk'

/** Raw bytes on a fresh socket; resolves with what the server sends back until it closes (bounded). */
async function rawExchange(port: number, head: string, body: string, hold: { thenDestroy?: boolean } = {}): Promise<string> {
  const socket = connect(port, '127.0.0.1')
  onTestFinished(() => void socket.destroy())
  await once(socket, 'connect')
  // The server may answer and close before it takes the whole body: the broken pipe is expected.
  socket.on('error', () => {})
  socket.write(head + body)
  if (hold.thenDestroy) {
    socket.destroy()
    return ''
  }
  let received = ''
  socket.on('data', chunk => void (received += String(chunk)))
  await new Promise<void>(resolve => {
    const timer = setTimeout(resolve, 10_000)
    socket.once('close', () => (clearTimeout(timer), resolve()))
  })
  return received
}

const headLines = (port: number, headers: Record<string, string>) =>
  ['POST /mcp HTTP/1.1', `host: 127.0.0.1:${port}`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`), '', ''].join('\r\n')

describe.each(TARGETS)('request bodies ($entry entry, $store store)', ({ entry, store }) => {
  const target = useTarget(entry, store, { bodyTimeoutMs: 1_500 })

  it('answers 40 concurrent 3.9 MiB POSTs for unknown sessions with 404 without reading them', async () => {
    const before = await target.stats(true)
    const body = 'x'.repeat(3.9 * MiB)
    const head = headLines(target.port(), { ...postHeaders(UNKNOWN), 'content-length': String(body.length) })
    const replies = await Promise.all(Array.from({ length: 40 }, () => rawExchange(target.port(), head, body)))
    for (const reply of replies) {
      expect(reply).toMatch(/^HTTP\/1\.1 404 /)
      expect(reply).toContain('MCPS_SESSION_NOT_FOUND')
    }
    const after = await target.stats(true)
    // Read and parsed, they were 156 MiB of text (RSS went up by 281 MiB before this was fixed).
    expect((after.rss - before.rss) / MiB).toBeLessThan(64)
    await target.expectNothingReported()
  }, 60_000)

  it('refuses a declared Content-Length over the limit with 413 before any byte of the body', async () => {
    const id = await target.session()
    const reply = await rawExchange(target.port(), headLines(target.port(), { ...postHeaders(id), 'content-length': String(100_000_000) }), '{"jsonrpc":')
    expect(reply).toMatch(/^HTTP\/1\.1 413 /)
    expect(reply).toContain('MCPS_BODY_TOO_LARGE')
    await target.expectUntouched(id)
  })

  it.each(['gzip', 'x-unknown'])('refuses Content-Encoding %s with 415', async encoding => {
    const answer = await target.raw({ headers: { ...postHeaders(), 'content-encoding': encoding }, body: initializeBody() })
    expectRefusal(answer, 415, 'MCPS_UNSUPPORTED_ENCODING')
  })

  it('answers a body that does not arrive within bodyTimeoutMs with 408 and closes the connection', async () => {
    const id = await target.session()
    const started = Date.now()
    const reply = await rawExchange(target.port(), headLines(target.port(), { ...postHeaders(id), 'content-length': '200' }), '{"jsonrpc":"2.0",')
    expect(reply).toMatch(/^HTTP\/1\.1 408 /)
    expect(reply).toContain('MCPS_BODY_TIMEOUT')
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_400)
    await target.expectUntouched(id)
    await target.expectNothingReported()
  })

  it('does not report an upload the client abandons', async () => {
    const id = await target.session()
    const body = rpc('tools/call', { name: 'echo', arguments: { text: 'x'.repeat(10_000) } })
    await rawExchange(target.port(), headLines(target.port(), { ...postHeaders(id), 'content-length': String(body.length) }), body.slice(0, 5_000), { thenDestroy: true })
    await new Promise(resolve => setTimeout(resolve, 200))
    await target.expectUntouched(id)
    await target.expectNothingReported()
  })
})
