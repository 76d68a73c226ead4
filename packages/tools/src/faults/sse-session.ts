/**
 * A bare MCP session over fetch, for measurements and diagnoses that must see
 * the wire (priming events, ids, which URL each request takes) without an SDK
 * client deciding for them.
 */
export const PROTOCOL = '2025-11-25'

/** One SSE event as sent: `id` absent when the event had none, `data` '' for a priming event. */
export interface SseEvent {
  id: string | undefined
  data: string
  /** The `retry` field (reconnection delay in ms), when the event had one. */
  retry?: string
  at: number
}

const headersFor = (session: string | undefined, extra: Record<string, string> = {}) => ({
  'content-type': 'application/json',
  accept: 'application/json, text/event-stream',
  'mcp-protocol-version': PROTOCOL,
  ...(session ? { 'mcp-session-id': session } : {}),
  ...extra
})

/**
 * Initializes a session at `url` and sends `notifications/initialized`.
 *
 * @example
 * const session = await openSession('http://127.0.0.1:3000/mcp')
 * const stream = await openStream(session, proxyUrl)
 */
export async function openSession(url: string): Promise<{ url: string; id: string }> {
  const init = await fetch(url, {
    method: 'POST',
    headers: headersFor(undefined),
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: PROTOCOL, capabilities: {}, clientInfo: { name: 'sse-session', version: '1.0.0' } } })
  })
  const id = init.headers.get('mcp-session-id')
  await init.text()
  if (!init.ok || !id) throw new Error(`[mcp-sessions] Failed to open a session at ${url}: initialize answered ${init.status}`)
  const initialized = await fetch(url, { method: 'POST', headers: headersFor(id), body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }) })
  await initialized.text()
  return { url, id }
}

/**
 * Calls a tool and resolves with the raw answer body once the response is complete.
 *
 * @example
 * await callTool(session, 'tick', { c: 'me', s: 1 })
 */
export async function callTool(session: { url: string; id: string }, name: string, args: Record<string, unknown>, url = session.url): Promise<{ status: number; body: string }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: headersFor(session.id),
    body: JSON.stringify({ jsonrpc: '2.0', id: Math.floor(Math.random() * 1e9), method: 'tools/call', params: { name, arguments: args } })
  })
  return { status: response.status, body: await response.text() }
}

/**
 * Opens the session's GET stream at `url` (with `lastEventId` to resume) and
 * collects its events as they arrive (see {@link readSse}).
 *
 * @example
 * const stream = await openStream(session, url, lastEventId)
 * const primed = await stream.next(e => e.data === '')
 */
export async function openStream(session: { id: string }, url: string, lastEventId?: string) {
  const controller = new AbortController()
  const response = await fetch(url, {
    headers: { accept: 'text/event-stream', 'mcp-session-id': session.id, 'mcp-protocol-version': PROTOCOL, ...(lastEventId ? { 'last-event-id': lastEventId } : {}) },
    signal: controller.signal
  })
  return readSse(response, controller)
}

/**
 * Calls a tool and reads its answer as an event stream while it arrives (see {@link readSse}).
 *
 * @example
 * const call = await streamTool(session, url, 'parts', { c: 'me', k: 1, count: 3, gapsMs: [100] })
 * await call.untilEnded()
 */
export async function streamTool(session: { id: string }, url: string, name: string, args: Record<string, unknown>) {
  const controller = new AbortController()
  const response = await fetch(url, {
    method: 'POST',
    headers: headersFor(session.id),
    body: JSON.stringify({ jsonrpc: '2.0', id: Math.floor(Math.random() * 1e9), method: 'tools/call', params: { name, arguments: args } }),
    signal: controller.signal
  })
  return readSse(response, controller)
}

/**
 * Collects an SSE body's events as they arrive (comment lines skipped);
 * `next(match)` waits for one; `ended` turns true when the body ends or breaks.
 *
 * @example
 * const controller = new AbortController()
 * const events = readSse(await fetch(url, { signal: controller.signal }), controller)
 */
export function readSse(response: Response, controller: AbortController) {
  const events: SseEvent[] = []
  const waiters = new Set<() => void>()
  let ended = false
  const wake = () => {
    for (const waiter of waiters) waiter()
  }
  const pump = async () => {
    let buffer = ''
    try {
      const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader()
      for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
        buffer += chunk.value
        for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
          const lines = buffer.slice(0, end).split('\n')
          buffer = buffer.slice(end + 2)
          if (lines.every(l => l.startsWith(':'))) continue
          const field = (name: string) => lines.filter(l => l.startsWith(`${name}:`)).map(l => l.slice(name.length + 1).replace(/^ /, ''))
          events.push({ id: field('id')[0], data: field('data').join('\n'), retry: field('retry')[0], at: performance.now() })
          wake()
        }
      }
    } catch {
      // Aborted or cut: `ended` tells.
    } finally {
      ended = true
      wake()
    }
  }
  if (response.ok && response.body) void pump()
  else ended = true
  return {
    status: response.status,
    events,
    get ended() {
      return ended
    },
    /** The first event (from index `from`) matching, within `ms`; undefined when the stream ended or time ran out. */
    async next(match: (event: SseEvent) => boolean, ms = 5_000, from = 0): Promise<SseEvent | undefined> {
      const deadline = Date.now() + ms
      for (;;) {
        const found = events.slice(from).find(match)
        if (found || ended || Date.now() > deadline) return found
        await new Promise<void>(resolve => {
          const timer = setTimeout(() => done(), Math.max(1, deadline - Date.now()))
          const done = () => {
            clearTimeout(timer)
            waiters.delete(done)
            resolve()
          }
          waiters.add(done)
        })
      }
    },
    /** Resolves once the body ended (bounded by `ms`). */
    async untilEnded(ms = 5_000): Promise<boolean> {
      await this.next(() => false, ms)
      return ended
    },
    close: () => controller.abort()
  }
}

export type SseReader = ReturnType<typeof readSse>
