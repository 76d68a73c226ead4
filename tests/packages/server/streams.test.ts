/**
 * Streams detach, sessions stay: a dropped stream keeps its messages in the
 * session's event store and a client resuming with Last-Event-ID gets exactly
 * what it missed, in order, once. Replay never crosses streams or sessions.
 * @see https://github.com/modelcontextprotocol/java-sdk/issues/920 (seed 003)
 */
import type { ServerResponse } from 'node:http'
import { describe, expect, it, onTestFinished, vi } from 'vitest'
import type { FetchLike } from '@modelcontextprotocol/sdk/shared/transport.js'
import { readUntil } from '../../helpers/notifications.js'
import { nextEvent } from '../../helpers/wait.js'
import { MemoryEventStore } from '@mcp-sessions/server'
import { ACCEPT, PROTOCOL, connectClient, demoServer, echo, initialize, send, startManager } from './fixture.js'

const fastReconnect = { initialReconnectionDelay: 1, maxReconnectionDelay: 10, reconnectionDelayGrowFactor: 1, maxRetries: 5 }

/** A fetch that holds every resume (GET with Last-Event-ID) until `release()`. */
function gatedFetch() {
  let release!: () => void
  const gate = new Promise<void>(resolve => { release = resolve })
  const resumes: string[] = []
  let primed!: () => void
  const firstId = new Promise<void>(resolve => { primed = resolve })
  const fetchFn: FetchLike = async (input, init) => {
    const lastEventId = new Headers(init?.headers).get('last-event-id')
    const isGet = (init?.method ?? 'GET') === 'GET'
    if (isGet && lastEventId) {
      resumes.push(lastEventId)
      await gate
    }
    const response = await fetch(input, init)
    if (!isGet || lastEventId || !response.body) return response
    // Observe the client's side of a fresh GET stream: resolves once an event id reached the client.
    const decoder = new TextDecoder()
    const observed = response.body.pipeThrough(new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        if (/^id: /m.test(decoder.decode(chunk, { stream: true }))) primed()
        controller.enqueue(chunk)
      }
    }))
    return new Response(observed, { status: response.status, headers: response.headers })
  }
  return { fetch: fetchFn, release, resumes, firstId }
}

/** Opens a GET stream by hand; a fresh one also yields the event id of its first (priming) event. */
async function openGet(url: string, sessionId: string, lastEventId?: string) {
  const headers: Record<string, string> = { accept: ACCEPT, 'mcp-session-id': sessionId, 'mcp-protocol-version': PROTOCOL }
  if (lastEventId) headers['last-event-id'] = lastEventId
  const response = await fetch(url, { headers })
  if (response.status !== 200 || lastEventId) return { response, eventId: undefined, close: () => response.body?.cancel() }
  const reader = response.body!.getReader()
  const { value } = await reader.read()
  const eventId = /^id: (.+)$/m.exec(new TextDecoder().decode(value))?.[1]
  return { response, eventId, close: () => reader.cancel() }
}

describe('stream resumption', () => {
  it('delivers every notification sent while the GET stream was down, in order, once', async () => {
    const { url, log, until, servers, nextGetOpened } = await startManager()
    const gated = gatedFetch()
    const getOpened = nextGetOpened()
    const { transport, notifications, untilNotifications } = await connectClient(url, { fetch: gated.fetch, reconnectionOptions: fastReconnect })
    const id = transport.sessionId!
    const server = servers.get(id)!
    const getResponse: ServerResponse = await getOpened

    await server.sendLoggingMessage({ level: 'info', data: 'n1' })
    await untilNotifications(1)
    getResponse.destroy()
    await until('the GET stream to detach', () => log.detached.length === 1)
    expect(log.detached[0]).toEqual({ id, streamId: '_GET_stream' })

    for (const n of ['n2', 'n3', 'n4']) await server.sendLoggingMessage({ level: 'info', data: n })
    gated.release()
    await until('the GET stream to reattach', () => log.reattached.length === 1)
    await untilNotifications(4)
    await server.sendLoggingMessage({ level: 'info', data: 'n5' })
    await untilNotifications(5)

    expect(notifications).toEqual(['n1', 'n2', 'n3', 'n4', 'n5'])
    expect(gated.resumes).toHaveLength(1)
    expect(log.reattached[0]).toMatchObject({ id, streamId: '_GET_stream', lastEventId: gated.resumes[0] })
    expect(log.closed).toEqual([])
  })

  it('resumes without loss when the GET stream drops before its first message', async () => {
    const { url, log, until, servers, nextGetOpened } = await startManager()
    const gated = gatedFetch()
    const getOpened = nextGetOpened()
    const { transport, notifications, untilNotifications } = await connectClient(url, { fetch: gated.fetch, reconnectionOptions: fastReconnect })
    const server = servers.get(transport.sessionId!)!
    const getResponse = await getOpened
    await gated.firstId
    getResponse.destroy()
    await until('the GET stream to detach', () => log.detached.length === 1)

    await server.sendLoggingMessage({ level: 'info', data: 'while down' })
    gated.release()
    await untilNotifications(1)
    expect(notifications).toEqual(['while down'])
  })

  it('keeps the session and its tools working while the stream is detached', async () => {
    const { url, log, until, nextGetOpened } = await startManager()
    const getOpened = nextGetOpened()
    const { client, transport } = await connectClient(url, { fetch: gatedFetch().fetch, reconnectionOptions: fastReconnect })
    ;(await getOpened).destroy()
    await until('the GET stream to detach', () => log.detached.length === 1)
    const result = await client.callTool({ name: 'echo', arguments: { text: 'still here' } })
    expect(result.content).toEqual([{ type: 'text', text: 'still here' }])
    expect((await echo(url, transport.sessionId!)).status).toBe(200)
  })

  it('rejects a Last-Event-ID issued to another session and leaves both sessions intact', async () => {
    const { url, log, until } = await startManager()
    const a = await initialize(url)
    const b = await initialize(url)
    const streamA = await openGet(url, a)
    expect(streamA.eventId).toBeDefined()

    const crossed = await openGet(url, b, streamA.eventId)
    expect(crossed.response.status).toBe(400)
    const body = await crossed.response.json()
    expect(body.error).toMatchObject({ code: -32000, data: { code: 'MCPS_EVENT_ID_INVALID' } })
    expect(body.error.message).toContain('Last-Event-ID was not issued for this session')

    await streamA.close()
    await until('stream A to detach', () => log.detached.length === 1)
    expect((await echo(url, a)).status).toBe(200)
    expect((await echo(url, b)).status).toBe(200)
    expect(log.closed).toEqual([])
    // The id is still good on its own session.
    const resumed = await openGet(url, a, streamA.eventId)
    expect(resumed.response.status).toBe(200)
    await resumed.close()
  })

  it('rejects a Last-Event-ID naming a stream the session never had, and garbage ids', async () => {
    const { url } = await startManager()
    const a = await initialize(url)
    const stream = await openGet(url, a)
    await stream.close()
    const [tag] = stream.eventId!.split('.')
    for (const forged of [`${tag}.999.1`, `${tag}.1.999`, 'not-an-event-id', `${tag}.1`]) {
      const attempt = await openGet(url, a, forged)
      expect(attempt.response.status, forged).toBe(400)
      expect((await attempt.response.json()).error.data.code).toBe('MCPS_EVENT_ID_INVALID')
    }
    expect((await echo(url, a)).status).toBe(200)
  })

  it('rejects a Last-Event-ID whose events are past the grace period', async () => {
    const { ManualClock } = await import('../../helpers/manual-clock.js')
    const clock = new ManualClock()
    const { url, servers } = await startManager({ clock, streamGraceMs: 10_000 })
    const a = await initialize(url)
    const stream = await openGet(url, a)
    await stream.close()
    await servers.get(a)!.sendLoggingMessage({ level: 'info', data: 'old' })
    clock.advance(10_001)
    await servers.get(a)!.sendLoggingMessage({ level: 'info', data: 'new' })
    const late = await openGet(url, a, stream.eventId)
    expect(late.response.status).toBe(400)
    expect((await late.response.json()).error.data.code).toBe('MCPS_EVENT_ID_EXPIRED')
  })

  it('finishes a tool call whose response stream dropped mid-call, on the resumed stream', async () => {
    let finish!: (text: string) => void
    const result = new Promise<string>(resolve => { finish = resolve })
    const { url, log, until, requests } = await startManager({
      createServer: () => {
        const server = demoServer()
        server.registerTool('slow', {}, async () => ({ content: [{ type: 'text', text: await result }] }))
        return server
      }
    })
    // Resolves once the client has read an event id (the priming event) on the tools/call response.
    let primed!: () => void
    const postPrimed = new Promise<void>(resolve => { primed = resolve })
    const observing: FetchLike = async (input, init) => {
      const response = await fetch(input, init)
      if (!String(init?.body).includes('"tools/call"') || !response.body || response.status !== 200) return response
      const decoder = new TextDecoder()
      const body = response.body.pipeThrough(new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          if (/^id: /m.test(decoder.decode(chunk, { stream: true }))) primed()
          controller.enqueue(chunk)
        }
      }))
      return new Response(body, { status: response.status, headers: response.headers })
    }
    const { client } = await connectClient(url, { fetch: observing, reconnectionOptions: fastReconnect })
    const toolResponse = nextEvent<ServerResponse>('the tools/call response head', deliver => {
      const listener = (req: { method?: string }, res: ServerResponse) => {
        if (req.method !== 'POST' || res.statusCode !== 200) return
        requests.off('head', listener)
        deliver(res)
      }
      requests.on('head', listener)
    })
    const call = client.callTool({ name: 'slow', arguments: {} })
    const res = await toolResponse
    await postPrimed
    res.destroy()
    await until('the POST stream to detach', () => log.detached.some(d => d.streamId !== '_GET_stream'))
    const dropped = log.detached.find(d => d.streamId !== '_GET_stream')!.streamId

    finish('late result')
    expect((await call).content).toEqual([{ type: 'text', text: 'late result' }])
    expect(log.reattached.map(r => r.streamId)).toContain(dropped)
    expect(log.closed).toEqual([])
  })

  it('takes a plain SDK EventStore from the eventStore option, one per session', async () => {
    const made: string[] = []
    const { url } = await startManager({
      eventStore: ({ sessionId }) => {
        made.push(sessionId)
        const inner = new MemoryEventStore()
        return {
          storeEvent: (stream, message) => inner.storeEvent(stream, message),
          replayEventsAfter: (id, options) => inner.replayEventsAfter(id, options),
          getStreamIdForEventId: id => inner.getStreamIdForEventId(id)
        }
      }
    })
    const a = await initialize(url)
    expect(made).toEqual([a])
    const forged = await send(url, { method: 'GET', sessionId: a, headers: { 'last-event-id': 'forged.1.1' } })
    expect(forged.status).toBe(400)
    expect(forged.json.error.data.code).toBe('MCPS_EVENT_ID_INVALID')
    const { client } = await connectClient(url)
    expect((await client.callTool({ name: 'echo', arguments: { text: 'plain store' } })).content).toEqual([{ type: 'text', text: 'plain store' }])
    expect(made).toHaveLength(2)
  })

  it('answers a call 503 + Retry-After when the event store fails to open its stream, not 400 as for a bad request', async () => {
    let down = false
    const { url, log } = await startManager({
      eventStore: () => new class extends MemoryEventStore {
        override async storeEvent(...args: Parameters<MemoryEventStore['storeEvent']>) {
          if (down) throw new Error('store unreachable')
          return super.storeEvent(...args)
        }
      }()
    })
    const id = await initialize(url)
    down = true
    const answer = await echo(url, id, 'while the store is down')
    expect(answer.status).toBe(503)
    expect(answer.headers.get('retry-after')).toBe('1')
    expect(answer.json.error.data.code).toBe('MCPS_STORE_FAILED')
    expect(log.errors.map(e => e.code)).toContain('MCPS_STORE_FAILED')
    down = false
    expect((await echo(url, id, 'back')).status).toBe(200)
  })

  it('delivers a notification sent before the first GET stream opened, once, when it opens', async () => {
    const { url, servers } = await startManager()
    const id = await initialize(url)
    await servers.get(id)!.sendLoggingMessage({ level: 'info', data: 'before any GET' })
    const headers = { accept: ACCEPT, 'mcp-session-id': id, 'mcp-protocol-version': PROTOCOL }
    const first = await fetch(url, { headers })
    const reader = first.body!.getReader()
    expect(await readUntil(reader, 'before any GET')).toContain('before any GET')
    await reader.cancel()
    // A later fresh GET starts at the end: nothing is delivered twice.
    const second = await fetch(url, { headers })
    const again = second.body!.getReader()
    await servers.get(id)!.sendLoggingMessage({ level: 'info', data: 'after' })
    const later = await readUntil(again, 'after')
    expect(later).toContain('after')
    expect(later).not.toContain('before any GET')
    await again.cancel()
  })

  it('hands a stream the server still holds open to the same client reconnecting (half-open connection)', async () => {
    const { url, log, until, servers } = await startManager()
    const a = await initialize(url)
    const headers = { accept: ACCEPT, 'mcp-session-id': a, 'mcp-protocol-version': PROTOCOL }
    const first = await fetch(url, { headers })
    const firstReader = first.body!.getReader()
    const priming = new TextDecoder().decode((await firstReader.read()).value)
    const cursor = /^id: (.+)$/m.exec(priming)![1]!

    // The old connection is still open as far as the server knows; the client reconnects anyway.
    const second = await fetch(url, { headers: { ...headers, 'last-event-id': cursor } })
    expect(second.status).toBe(200)
    expect((await firstReader.read()).done).toBe(true)
    await until('detach and reattach', () => log.detached.length === 1 && log.reattached.length === 1)
    expect(log.detached[0]).toEqual({ id: a, streamId: '_GET_stream' })

    await servers.get(a)!.sendLoggingMessage({ level: 'info', data: 'to the new stream' })
    const secondReader = second.body!.getReader()
    // A resumed stream starts with a priming event naming the cursor it resumed from, then the message.
    const text = await readUntil(secondReader, 'to the new stream')
    expect(text).toContain(`id: ${cursor}\n`)
    expect(text).toContain('to the new stream')
    await secondReader.cancel()

    // A fresh GET while one is open takes over the same way (instead of 409).
    const third = await fetch(url, { headers })
    expect(third.status).toBe(200)
    await third.body!.cancel()
    expect(log.closed).toEqual([])
  })

  it('hands a call\'s stream the server still holds open to the client resuming it (half-open connection)', async () => {
    let finish!: (text: string) => void
    const result = new Promise<string>(resolve => { finish = resolve })
    const { url, log, until } = await startManager({
      createServer: () => {
        const server = demoServer()
        server.registerTool('slow', {}, async () => ({ content: [{ type: 'text', text: await result }] }))
        return server
      }
    })
    const a = await initialize(url)
    const headers = { accept: ACCEPT, 'mcp-session-id': a, 'mcp-protocol-version': PROTOCOL }
    const call = await fetch(url, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: 'slow', arguments: {} } })
    })
    const callReader = call.body!.getReader()
    const cursor = /^id: (.+)$/m.exec(new TextDecoder().decode((await callReader.read()).value))![1]!

    // The call's connection is still open as far as the server knows; the client resumes the stream anyway.
    const resumed = await fetch(url, { headers: { ...headers, 'last-event-id': cursor } })
    expect(resumed.status).toBe(200)
    expect((await callReader.read()).done).toBe(true)
    await until('the call stream to detach', () => log.detached.length === 1)
    expect(log.detached[0]!.streamId).not.toBe('_GET_stream')
    expect(log.reattached.map(r => r.streamId)).toEqual([log.detached[0]!.streamId])

    finish('late result')
    const text = await readUntil(resumed.body!.getReader(), 'late result')
    expect(text).toContain('"id":7')
    expect(log.closed).toEqual([])
  })

  it('sends keep-alive comment frames on an open stream with nothing to say', async () => {
    const { url } = await startManager({ streamKeepAliveMs: 20 })
    const a = await initialize(url)
    const response = await fetch(url, { headers: { accept: ACCEPT, 'mcp-session-id': a, 'mcp-protocol-version': PROTOCOL } })
    const reader = response.body!.getReader()
    const seen = await readUntil(reader, ': keepalive', 20)
    expect(seen).toContain(': keepalive\n\n')
    await reader.cancel()
  })

  it('sends no keep-alive frame of its own SDK when streamKeepAliveMs is 0 (the manager alone keeps streams alive)', async () => {
    // SDKs from 1.32 arm a 15 s keep-alive interval per stream; the manager's ticker replaces it.
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] })
    onTestFinished(() => void vi.useRealTimers())
    const { url, servers } = await startManager({ streamKeepAliveMs: 0 })
    const a = await initialize(url)
    const response = await fetch(url, { headers: { accept: ACCEPT, 'mcp-session-id': a, 'mcp-protocol-version': PROTOCOL } })
    const reader = response.body!.getReader()
    onTestFinished(() => reader.cancel())
    await reader.read() // the priming event
    vi.advanceTimersByTime(60_000)
    // A marker after the quiet minute: everything the stream carried before it has been written by then.
    await servers.get(a)!.server.sendLoggingMessage({ level: 'info', data: 'after a quiet minute' })
    const seen = await readUntil(reader, 'after a quiet minute', 20)
    expect(seen).toContain('after a quiet minute')
    expect(seen).not.toContain(': keepalive')
  })
})
