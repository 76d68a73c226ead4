import { http, HttpResponse } from 'msw'
import type { SetupServer } from 'msw/node'
import { onTestFinished } from 'vitest'
import type { ModuleFlavor } from './cell.js'
import { clientSdk } from './sdk-api.js'
import { nextEvent } from './wait.js'

/** One SSE event as the server writes it; `data: ''` with an id is a priming event. */
export interface SseEvent {
  id?: string
  retry?: number
  data?: string
}

/**
 * How a scripted stream ends after its events: closed by the server, cut (a
 * network error), left open, or either of the first two once a promise settles.
 */
export type StreamEnd = 'close' | 'cut' | 'open' | Promise<'close' | 'cut'>

/** A request the script answered. */
export interface ScriptedRequest {
  method: 'GET' | 'POST'
  lastEventId: string | null
  /** The JSON-RPC body of a POST. */
  body?: { id?: number | string; method?: string }
  /** `performance.now()` when the request arrived. */
  at: number
}

type Answer = (request: Request) => Response

export const encodeEvent = ({ id, retry, data }: SseEvent) =>
  `${id === undefined ? '' : `id: ${id}\n`}${retry === undefined ? '' : `retry: ${retry}\n`}${data === undefined ? '' : `data: ${data}\n`}\n`

/**
 * An SSE response that writes `events`, then ends as `end` says.
 *
 * @note A cut errors the body only once the reader asked for more than the
 * events, but the SDK's parsing pipeline may still drop an event that was in
 * flight when its source errored (a real cut does the same). Cut right away
 * only streams without events, or pass a promise that settles once the client
 * has seen them. An open stream ends when the client aborts;
 * msw does not pass aborts to mocked bodies, so it watches `request.signal`.
 */
export function sse(request: Request, events: SseEvent[], end: StreamEnd = 'close'): Response {
  const chunks = events.map(e => new TextEncoder().encode(encodeEvent(e)))
  let controller: ReadableStreamDefaultController<Uint8Array> | undefined
  const body = new ReadableStream<Uint8Array>(
    {
      start: c => {
        controller = c
      },
      pull: async c => {
        const next = chunks.shift()
        if (next) return c.enqueue(next)
        const how = await end
        try {
          if (how === 'close') c.close()
          if (how === 'cut') c.error(new TypeError('terminated: the connection was cut'))
        } catch {} // the client aborted first
      }
    },
    { highWaterMark: 0 }
  )
  request.signal.addEventListener('abort', () => {
    try {
      controller?.close()
    } catch {}
  })
  return new HttpResponse(body, { headers: { 'content-type': 'text/event-stream' } })
}

/** A JSON-RPC notification as SSE data. */
export const note = (text: string) => JSON.stringify({ jsonrpc: '2.0', method: 'notifications/message', params: { level: 'info', data: text } })

/** The notification after which the SDK client opens its GET stream. */
export const initialized = { jsonrpc: '2.0', method: 'notifications/initialized' } as const

/** A tools/call request with `id`: its answer may be an SSE stream the client resumes. */
export const toolCall = (id: number) => ({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'long', arguments: {} } }) as const

/** The `Last-Event-ID` each request carried (`null` for none). */
export const cursors = (requests: ScriptedRequest[]) => requests.map(r => r.lastEventId)

/** A JSON-RPC result for request `id` as SSE data. */
export const result = (id: number | string, text = 'done') => JSON.stringify({ jsonrpc: '2.0', id, result: { content: [{ type: 'text', text }] } })

/**
 * msw handlers for one endpoint that answer GETs and POSTs from per-method
 * queues, in order, and record what they saw. A GET past its queue gets an
 * open stream with no events; a POST past its queue gets 202.
 *
 * @example
 * const script = streamScript(URL_)
 * server.use(...script.handlers)
 * script.get(req => sse(req, [{ id: 'e1', data: note('n1') }]), req => sse(req, [], 'cut'))
 * const [, second] = await script.gets(2)
 */
export function streamScript(url: string) {
  const seen: ScriptedRequest[] = []
  const queues: Record<'GET' | 'POST', Answer[]> = { GET: [], POST: [] }
  const listeners = new Set<() => void>()
  const see = (entry: ScriptedRequest) => {
    seen.push(entry)
    for (const l of listeners) l()
  }
  const handlers = [
    http.get(url, ({ request }) => {
      see({ method: 'GET', lastEventId: request.headers.get('last-event-id'), at: performance.now() })
      return (queues.GET.shift() ?? (r => sse(r, [], 'open')))(request)
    }),
    http.post(url, async ({ request }) => {
      const body = (await request.json()) as ScriptedRequest['body']
      see({ method: 'POST', lastEventId: request.headers.get('last-event-id'), body, at: performance.now() })
      return (queues.POST.shift() ?? (() => new HttpResponse(null, { status: 202 })))(request)
    })
  ]
  const requests = (method: 'GET' | 'POST') => seen.filter(r => r.method === method)
  /** Resolves with the first `count` requests of `method` once they arrived; an assertion error after `ms`. */
  const until = (method: 'GET' | 'POST', count: number, ms = 3_000) =>
    requests(method).length >= count
      ? Promise.resolve(requests(method))
      : nextEvent<ScriptedRequest[]>(`${count} ${method} requests (saw ${requests(method).length})`, deliver => {
          const listener = () => {
            if (requests(method).length < count) return
            listeners.delete(listener)
            deliver(requests(method))
          }
          listeners.add(listener)
        }, ms)
  return {
    handlers,
    seen,
    /** Queues the answers to the next GETs. */
    get: (...answers: Answer[]) => void queues.GET.push(...answers),
    /** Queues the answers to the next POSTs. */
    post: (...answers: Answer[]) => void queues.POST.push(...answers),
    requests,
    gets: (count: number, ms?: number) => until('GET', count, ms),
    posts: (count: number, ms?: number) => until('POST', count, ms)
  }
}

/** An answer with `status` and a JSON-RPC error body, e.g. 503 with `Retry-After`. */
export const statusAnswer = (status: number, headers: Record<string, string> = {}): Answer => () =>
  HttpResponse.json({ jsonrpc: '2.0', error: { code: -32000, message: `status ${status}` }, id: null }, { status, headers })

/** The reconnection options the SDK takes (`StreamableHTTPReconnectionOptions`). */
export interface Reconnection {
  initialReconnectionDelay: number
  maxReconnectionDelay: number
  reconnectionDelayGrowFactor: number
  maxRetries: number
}

/**
 * A started client transport of the cell's SDK (session `session-1`) on a
 * `streamScript` endpoint, with what it delivered and reported; closed when the
 * test ends. `transportOptions` adds other constructor options (v2's
 * `reconnectionScheduler`).
 *
 * @example
 * const { t, script, delivered, texts } = await scriptedTransport(flavor, server, URL_, fast)
 * script.get(req => sse(req, [{ id: 'e1', data: note('n1') }]))
 * await t.send({ jsonrpc: '2.0', method: 'notifications/initialized' })
 * await delivered(1)
 */
export async function scriptedTransport(flavor: ModuleFlavor, server: SetupServer, url: string, reconnectionOptions: Reconnection, transportOptions: Record<string, unknown> = {}) {
  const { StreamableHTTPClientTransport } = await clientSdk(flavor)
  const script = streamScript(url)
  server.use(...script.handlers)
  const t = new StreamableHTTPClientTransport(new URL(url), { sessionId: 'session-1', reconnectionOptions, ...transportOptions })
  const messages: any[] = []
  const errors: Error[] = []
  const listeners = new Set<() => void>()
  const changed = () => {
    for (const l of listeners) l()
  }
  t.onmessage = (message: unknown) => {
    messages.push(message)
    changed()
  }
  t.onerror = (error: Error) => {
    errors.push(error)
    changed()
  }
  onTestFinished(() => t.close())
  await t.start()
  /** Resolves once `check` holds; re-checked on every message and error; an assertion error after `ms`. */
  const until = (what: string, check: () => boolean, ms = 3_000) =>
    check() ? Promise.resolve() : nextEvent<void>(what, deliver => void listeners.add(() => check() && deliver()), ms)
  return {
    t,
    script,
    messages,
    errors,
    until,
    /** Resolves once `count` messages arrived. */
    delivered: (count: number, ms?: number) => until(`${count} messages (got ${messages.length})`, () => messages.length >= count, ms),
    /** The text of each delivered notification or tool result. */
    texts: () => messages.map(m => m.params?.data ?? m.result?.content?.[0]?.text)
  }
}
