/**
 * How a call's SSE answer leaves the Node entry point, seen from a raw TCP
 * client: a call answered a few milliseconds later (its answer waited on a
 * store write, a database) still arrives with its headers and priming event
 * in one piece, and so do messages produced turn after turn; a slow call's
 * stream opens at once anyway.
 *
 * "In one piece" holds when nothing stalls the server's event loop for the
 * 20 ms a call's stream may hold what it produced. On a machine whose cores
 * are shared with other test workers it stalls longer: with three attempts
 * each, all three arrived in pieces in one CI run, and on a loaded machine
 * a call took 30-120 ms from request to answer. So those tests lengthen the
 * hold to 1 s: what they prove is that the hold gathers the pieces. Without
 * it, they arrive in several pieces, so the tests still fail; the last test
 * keeps the real 20 ms, which a slow call's stream must not wait much past.
 */
import { once } from 'node:events'
import { connect } from 'node:net'
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { describe, expect, it, onTestFinished } from 'vitest'
import { z } from 'zod'
import { ACCEPT, initialize, PROTOCOL, startManager } from './fixture.js'
import { patience } from '../../../packages/server/src/internal/node-http.js'

function waitingServer(): McpServer {
  const server = new McpServer({ name: 'waiting', version: '1.0.0' }, { capabilities: { logging: {} } })
  server.registerTool('wait', { inputSchema: { ms: z.number() } }, async ({ ms }) => {
    await new Promise(resolve => setTimeout(resolve, ms))
    return { content: [{ type: 'text', text: `waited ${ms}` }] }
  })
  // Three messages related to the call, each in a later turn of the event loop (as if each waited on a store write).
  server.registerTool('parts', { inputSchema: { ms: z.number() } }, async (_args, extra) => {
    for (let i = 1; i <= 3; i++) {
      await new Promise(resolve => setImmediate(resolve))
      await extra.sendNotification({ method: 'notifications/message', params: { level: 'info', data: `part ${i}` } })
    }
    await new Promise(resolve => setImmediate(resolve))
    return { content: [{ type: 'text', text: 'parts done' }] }
  })
  return server
}

interface Piece {
  atMs: number
  text: string
}

/** POSTs a call of `tool` on a fresh socket and collects what arrives, piece by piece (one `data` event each), until the chunked body ends. */
async function pieces(port: number, sessionId: string, ms: number, tool: string): Promise<Piece[]> {
  const body = JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: tool, arguments: { ms } } })
  const socket = connect(port, '127.0.0.1')
  onTestFinished(() => void socket.destroy())
  await once(socket, 'connect')
  const got: Piece[] = []
  const started = performance.now()
  const ended = new Promise<void>((resolve, reject) => {
    socket.on('data', (chunk: Buffer) => {
      got.push({ atMs: performance.now() - started, text: chunk.toString('utf8') })
      if (got.map(p => p.text).join('').endsWith('0\r\n\r\n')) resolve()
    })
    socket.on('error', reject)
    socket.on('close', () => reject(new Error(`socket closed after ${JSON.stringify(got)}`)))
  })
  socket.write([
    'POST /mcp HTTP/1.1', 'Host: 127.0.0.1', `Accept: ${ACCEPT}`, 'Content-Type: application/json', `Mcp-Session-Id: ${sessionId}`,
    `Mcp-Protocol-Version: ${PROTOCOL}`, `Content-Length: ${Buffer.byteLength(body)}`, '', body
  ].join('\r\n'))
  await ended
  return got
}

/** A manager serving {@link waitingServer}, a session on it, and the pieces of one `tool` call on a fresh socket. */
async function callOnSocket(tool: string, ms: number): Promise<Piece[]> {
  const { port, url } = await startManager({ createServer: () => waitingServer() })
  return pieces(port, await initialize(url), ms, tool)
}

/** The status line, then the priming event (an id, no data) among what came first. */
function expectOpened(first: Piece): void {
  expect(first.text).toMatch(/^HTTP\/1\.1 200/)
  expect(first.text).toMatch(/\r\nid: [^\n]+\n(retry: \d+\n)?data: \n\n/)
}

/** Lengthens the stream's hold to 1 s for this test: its pieces must not depend on the event loop keeping 20 ms timing (see the top of the file). */
function patientHold(): void {
  const was = patience.ms
  patience.ms = 1_000
  onTestFinished(() => void (patience.ms = was))
}

describe('socket writes of a call stream', () => {
  it('sends the headers, the priming event and an answer ready 5 ms later in one piece', async () => {
    patientHold()
    const got = await callOnSocket('wait', 5)
    expectOpened(got[0]!)
    expect(got[0]!.text).toContain('"text":"waited 5"')
  })

  it('sends a call\'s messages produced over several turns together, with the answer and the end', async () => {
    patientHold()
    const got = await callOnSocket('parts', 0)
    expect(got).toHaveLength(1)
    expect([...got[0]!.text.matchAll(/"data":"(part \d)"/g)].map(m => m[1])).toEqual(['part 1', 'part 2', 'part 3'])
    expect(got[0]!.text).toContain('"text":"parts done"')
    expect(got[0]!.text.endsWith('0\r\n\r\n')).toBe(true)
  })

  it('still opens a slow call\'s stream at once: headers and priming event long before the answer', async () => {
    const got = await callOnSocket('wait', 1_500)
    expectOpened(got[0]!)
    expect(got[0]!.text).not.toContain('waited')
    expect(got[0]!.atMs).toBeLessThan(700)
    expect(got.map(p => p.text).join('')).toContain('"text":"waited 1500"')
  })
})
