/**
 * The Node body reader: a small body that came with its request head is
 * read from Node's buffer, without data listeners or a timer; one that is
 * still on the way is read from its events, within the limit.
 */
import { connect } from 'node:net'
import { createServer, type IncomingMessage } from 'node:http'
import { once } from 'node:events'
import { describe, expect, it, onTestFinished } from 'vitest'
import { readNodeBody, type BodyOutcome } from '../../../packages/server/src/internal/body-reader.js'

/** A server that reads every body with readNodeBody and records whether it listened for 'data'. */
async function reader() {
  const seen: Array<{ outcome: BodyOutcome; listened: boolean }> = []
  const http = createServer(async (req: IncomingMessage, res) => {
    let listened = false
    const on = req.on.bind(req)
    req.on = ((event: string, listener: (...args: unknown[]) => void) => {
      if (event === 'data') listened = true
      return on(event, listener)
    }) as typeof req.on
    const outcome = await readNodeBody(req, 1_000, 5_000)
    seen.push({ outcome, listened })
    res.end('ok')
  })
  http.listen(0, '127.0.0.1')
  await once(http, 'listening')
  onTestFinished(() => new Promise<void>(resolve => http.close(() => resolve())))
  return { port: (http.address() as { port: number }).port, seen }
}

describe('readNodeBody', () => {
  it('reads a body that arrived with its head from the buffer, without listening for data', async () => {
    const { port, seen } = await reader()
    for (let i = 0; i < 5; i++) {
      const response = await fetch(`http://127.0.0.1:${port}/`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ call: i }) })
      await response.text()
    }
    expect(seen.map(s => s.outcome)).toEqual([0, 1, 2, 3, 4].map(call => ({ ok: true, body: { call } })))
    expect(seen.map(s => s.listened)).toEqual([false, false, false, false, false])
  })

  it('reads a body sent after its head from its events, and refuses one over the limit', async () => {
    const { port, seen } = await reader()
    const socket = connect(port, '127.0.0.1')
    onTestFinished(() => void socket.destroy())
    await once(socket, 'connect')
    const body = JSON.stringify({ late: true })
    socket.write(`POST / HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n`)
    await new Promise(resolve => setTimeout(resolve, 50))
    socket.write(body)
    await once(socket, 'data')
    socket.write(`POST / HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-length: 2000\r\n\r\n${'x'.repeat(1_500)}`)
    for (let i = 0; i < 100 && seen.length < 2; i++) await new Promise(resolve => setTimeout(resolve, 10))
    expect(seen[0]).toEqual({ outcome: { ok: true, body: { late: true } }, listened: true })
    expect(seen[1]!.outcome).toMatchObject({ ok: false, code: 'MCPS_BODY_TOO_LARGE' })
  })
})
