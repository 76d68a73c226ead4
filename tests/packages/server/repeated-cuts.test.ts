/**
 * End to end, over loopback HTTP: an SDK client (this repository's patched
 * copy) talks to the session manager through a TCP proxy that cuts streams.
 * After a stream drops, its first two resumptions are cut right after the
 * response head, before any event reaches the client (as a balancer's idle
 * timeout or a dying node can), and the client still gets every notification
 * and every part of a streamed tool call exactly once. Without fix
 * 2499-client-resume-token the second resumption goes out without
 * Last-Event-ID and what was sent in the gap is lost.
 * @see https://github.com/modelcontextprotocol/typescript-sdk/issues/2499
 */
import type { EventEmitter } from 'node:events'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { describe, expect, it } from 'vitest'
import { cuttingProxy, type ProxiedRequest, type Verdict } from '../../helpers/cutting-proxy.js'
import { nextEvent, settle } from '../../helpers/wait.js'
import { connectClient, demoServer, startManager } from './fixture.js'

const fast = { initialReconnectionDelay: 1, maxReconnectionDelay: 10, reconnectionDelayGrowFactor: 1, maxRetries: 5 }

/**
 * The proxy's plan: after `arm()`, the next two GETs (whatever they carry) are
 * cut after their response head, the third waits at the proxy until `release()`.
 */
function cutPlan() {
  let armed = false
  let release!: () => void
  const released = new Promise<void>(resolve => {
    release = resolve
  })
  let held!: () => void
  const holding = new Promise<void>(resolve => {
    held = resolve
  })
  const resumes: Array<string | null> = []
  const decide = (request: ProxiedRequest): Verdict | Promise<Verdict> => {
    if (!armed || request.method !== 'GET') return 'pass'
    resumes.push(request.headers['last-event-id'] ?? null)
    if (resumes.length <= 2) return 'cut-after-head'
    held()
    return released.then(() => 'pass')
  }
  /** Resolves once two resumptions were cut and a third is waiting at the proxy. */
  const untilHeld = () => nextEvent<void>('two cut resumptions and a third one', deliver => void holding.then(deliver), 5_000)
  return { decide, resumes, arm: () => void (armed = true), release, untilHeld }
}

/** Resolves with the server side of the next request `match` accepts, once its head is written. */
function nextResponse(requests: EventEmitter, match: (req: IncomingMessage, res: ServerResponse) => boolean) {
  return nextEvent<ServerResponse>('a response head', deliver => {
    const listener = (req: IncomingMessage, res: ServerResponse) => {
      if (!match(req, res)) return
      requests.off('head', listener)
      deliver(res)
    }
    requests.on('head', listener)
  })
}

/** The parts a streamed tool sends, handed over by the test one at a time; `null` ends the call. */
function parts() {
  const waiting: Array<(part: string | null) => void> = []
  const queued: Array<string | null> = []
  return {
    next: () => (queued.length > 0 ? Promise.resolve(queued.shift()!) : new Promise<string | null>(resolve => waiting.push(resolve))),
    give: (part: string | null) => void (waiting.length > 0 ? waiting.shift()!(part) : queued.push(part))
  }
}

describe('a client whose resumed streams are cut before any event', () => {
  it('gets every GET stream notification exactly once', async () => {
    const { port, log, until, servers, requests } = await startManager()
    const plan = cutPlan()
    const proxy = await cuttingProxy(port, plan.decide)
    const firstGet = nextResponse(requests, req => req.method === 'GET')
    const { transport, notifications, untilNotifications, untilReceived } = await connectClient(proxy.url, { reconnectionOptions: fast })
    const server = servers.get(transport.sessionId!)!
    const getResponse = await firstGet
    await server.sendLoggingMessage({ level: 'info', data: 'n1' })
    await untilNotifications(1)

    plan.arm()
    getResponse.destroy()
    await until('the GET stream to detach', () => log.detached.length >= 1)
    for (const n of ['n2', 'n3']) await server.sendLoggingMessage({ level: 'info', data: n })
    await plan.untilHeld()
    const reopened = nextResponse(requests, req => req.method === 'GET')
    plan.release()
    await reopened
    await server.sendLoggingMessage({ level: 'info', data: 'n4' })
    await untilReceived('n4')
    // Delivery is immediate on loopback; 100 ms leaves room for a duplicate to show up.
    await settle(100)

    expect(notifications).toEqual(['n1', 'n2', 'n3', 'n4'])
    expect(new Set(plan.resumes).size).toBe(1)
    expect(plan.resumes[0]).toEqual(expect.any(String))
    expect(log.closed).toEqual([])
  })

  it('gets every part and the result of a streamed tool call exactly once', async () => {
    const tool = parts()
    const { port, log, until, requests } = await startManager({
      createServer: () => {
        const server = demoServer()
        server.registerTool('parts', {}, async extra => {
          for (let part = await tool.next(); part !== null; part = await tool.next()) {
            await extra.sendNotification({ method: 'notifications/message', params: { level: 'info', data: part } })
          }
          return { content: [{ type: 'text', text: 'done' }] }
        })
        return server
      }
    })
    const plan = cutPlan()
    const proxy = await cuttingProxy(port, plan.decide)
    const { client, notifications, untilNotifications } = await connectClient(proxy.url, { reconnectionOptions: fast })
    const toolResponse = nextResponse(requests, (req, res) => req.method === 'POST' && res.statusCode === 200)
    const call = client.callTool({ name: 'parts', arguments: {} }, undefined, { timeout: 10_000 })
    call.catch(() => {}) // settles after an earlier assertion failed, when the client closes
    tool.give('part 1')
    await untilNotifications(1)

    plan.arm()
    ;(await toolResponse).destroy()
    await until('the tool call stream to detach', () => log.detached.some(d => d.streamId !== '_GET_stream'))
    for (const part of ['part 2', 'part 3', null]) tool.give(part)
    await plan.untilHeld()
    // Every resumption of the tool call's stream carries the id of part 1.
    expect(plan.resumes).toEqual([expect.any(String), plan.resumes[0], plan.resumes[0]])
    plan.release()
    const result = await nextEvent<unknown>('the tool result', deliver => void call.then(deliver, deliver), 5_000)
    await settle(100)

    expect(result).toMatchObject({ content: [{ type: 'text', text: 'done' }] })
    expect(notifications).toEqual(['part 1', 'part 2', 'part 3'])
    expect(log.closed).toEqual([])
  })
})
