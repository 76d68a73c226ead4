/**
 * The client keeps the latest event id of every SSE stream across any number
 * of reconnections, and resumes with it: a resumed stream that is cut again
 * before an id-bearing event still reconnects with `Last-Event-ID`, for the
 * GET stream and for a request stream resumed over GET alike.
 * @see https://github.com/modelcontextprotocol/typescript-sdk/issues/2499
 * @see https://github.com/modelcontextprotocol/typescript-sdk/pull/2509
 * @see https://github.com/modelcontextprotocol/typescript-sdk/pull/2745
 */
import { describe, expect } from 'vitest'
import { flavors, type ModuleFlavor } from '../helpers/cell.js'
import { useMsw } from '../helpers/msw.js'
import { guard, proof } from '../helpers/proof.js'
import { cursors, initialized, note, result, scriptedTransport, sse, statusAnswer, toolCall as call } from '../helpers/sse-script.js'
import { settle } from '../helpers/wait.js'

const URL_ = 'http://mcp.test/mcp'
const server = useMsw()
const resumes = proof('2499-client-resume-token')
const kept = guard('2499-client-resume-token')
const clears = proof('1708-client-404')

const fast = { initialReconnectionDelay: 5, maxReconnectionDelay: 20, reconnectionDelayGrowFactor: 1, maxRetries: 3 }

const connect = (flavor: ModuleFlavor) => scriptedTransport(flavor, server, URL_, fast)

describe.each(flavors)('client resume token (%s)', flavor => {
  for (const end of ['close', 'cut'] as const) {
    resumes(`resumes the GET stream from its last event id when a resumed connection ends before any event (${end})`, async () => {
      const { t, script, delivered, texts } = await connect(flavor)
      script.get(req => sse(req, [{ id: 'e1', data: note('n1') }]), req => sse(req, [], end))
      await t.send(initialized)
      expect(cursors(await script.gets(3))).toEqual([null, 'e1', 'e1'])
      await delivered(1)
      expect(texts()).toEqual(['n1'])
    })
  }

  resumes('keeps resuming from the latest event id through repeated cuts, then moves on to a newer one', async () => {
    const { t, script, delivered, texts } = await connect(flavor)
    const cut = (req: Request) => sse(req, [], 'cut')
    script.get(req => sse(req, [{ id: 'e1', data: note('n1') }]), cut, cut, cut, cut, req => sse(req, [{ id: 'e2', data: note('n2') }]))
    await t.send(initialized)
    expect(cursors(await script.gets(7))).toEqual([null, 'e1', 'e1', 'e1', 'e1', 'e1', 'e2'])
    await delivered(2)
    expect(texts()).toEqual(['n1', 'n2'])
  })

  resumes('counts a priming event (an id and empty data) as the stream position', async () => {
    const { t, script, messages } = await connect(flavor)
    script.get(req => sse(req, [{ id: 'p0', data: '' }]), req => sse(req, []))
    await t.send(initialized)
    expect(cursors(await script.gets(3))).toEqual([null, 'p0', 'p0'])
    expect(messages).toEqual([])
  })

  resumes('resumes a request stream from its last event id after the resumed stream is cut, and delivers the result once', async () => {
    const { t, script, delivered, texts, messages } = await connect(flavor)
    script.post(req => sse(req, [{ id: 'p0', data: '' }, { id: 'p1', data: note('part 1') }]))
    script.get(
      req => sse(req, [], 'cut'),
      req => (req.headers.get('last-event-id') === 'p1' ? sse(req, [{ id: 'p2', data: note('part 2') }, { id: 'p3', data: result(7) }]) : sse(req, [], 'open'))
    )
    await t.send(call(7))
    expect(cursors(await script.gets(2))).toEqual(['p1', 'p1'])
    await delivered(3)
    expect(texts()).toEqual(['part 1', 'part 2', 'done'])
    expect(messages[2]).toMatchObject({ id: 7 })
    await settle(50)
    expect(script.requests('GET')).toHaveLength(2)
  })

  resumes('resumes a request resumed through send() from its token after a cut before any event', async () => {
    const { t, script } = await connect(flavor)
    script.get(req => sse(req, [], 'cut'))
    await t.send(call(9), { resumptionToken: 'r1' })
    expect(cursors(await script.gets(2))).toEqual(['r1', 'r1'])
  })

  resumes('reports the event ids of a request resumed through send() to its onresumptiontoken', async () => {
    const { t, script, delivered, texts } = await connect(flavor)
    const tokens: string[] = []
    script.get(req => sse(req, [{ id: 'r2', data: note('resumed part') }, { id: 'r3', data: result(9) }]))
    await t.send(call(9), { resumptionToken: 'r1', onresumptiontoken: (token: string) => tokens.push(token) })
    await delivered(2)
    expect(texts()).toEqual(['resumed part', 'done'])
    expect(tokens).toEqual(['r2', 'r3'])
  })

  kept('reconnects without Last-Event-ID when the server sends no event ids', async () => {
    const { t, script, delivered, texts } = await connect(flavor)
    script.get(req => sse(req, [{ data: note('n1') }]), req => sse(req, [], 'cut'))
    await t.send(initialized)
    expect(cursors(await script.gets(3))).toEqual([null, null, null])
    await delivered(1)
    expect(texts()).toEqual(['n1'])
  })

  kept('does not resume a request stream that carried no event id', async () => {
    const { t, script, delivered } = await connect(flavor)
    script.post(req => sse(req, [{ data: note('part 1') }]))
    await t.send(call(3))
    await delivered(1)
    // Reconnections run 5 ms apart here; 100 ms leaves room for several if one had been scheduled.
    await settle(100)
    expect(script.requests('GET')).toEqual([])
  })

  kept('resumes from the newer event id once a resumed stream delivers one', async () => {
    const { t, script, delivered, texts } = await connect(flavor)
    script.get(req => sse(req, [{ id: 'e1', data: note('n1') }]), req => sse(req, [{ id: 'e2', data: note('n2') }]))
    await t.send(initialized)
    expect(cursors(await script.gets(3))).toEqual([null, 'e1', 'e2'])
    await delivered(2)
    expect(texts()).toEqual(['n1', 'n2'])
  })

  kept('waits the retry interval a priming event sets before resuming', async () => {
    const { t, script } = await connect(flavor)
    script.get(req => sse(req, [{ id: 'p0', retry: 300, data: '' }]))
    await t.send(initialized)
    const [first, second] = await script.gets(2)
    expect(second!.lastEventId).toBe('p0')
    // The backoff here is 5 ms; the server's retry field replaces it.
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(290)
  })

  clears('clears the session id when a resumed GET stream gets 404, and stops reconnecting', async () => {
    const { t, script } = await connect(flavor)
    script.get(req => sse(req, [{ id: 'e1', data: note('n1') }]), statusAnswer(404))
    await t.send(initialized)
    expect(cursors(await script.gets(2))).toEqual([null, 'e1'])
    await settle(100)
    expect(t.sessionId).toBeUndefined()
    expect(script.requests('GET')).toHaveLength(2)
  })
})
