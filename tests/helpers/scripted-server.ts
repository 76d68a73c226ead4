import { http, HttpResponse } from 'msw'
import { expect } from 'vitest'

/** A request the scripted server saw. */
export interface SeenRequest {
  method: 'POST' | 'GET' | 'DELETE'
  sessionId: string | null
  rpcMethod?: string
  params?: Record<string, unknown>
}

export interface ScriptedOptions {
  /** Serve the GET stream (kept open until the client aborts it or `restart()`); otherwise answer 405. */
  getStream?: boolean
  /** Answer initialize with this status instead of creating a session, while it returns a number. */
  failInitialize?: () => number | undefined
  /** Answer every tools/list with 404, whatever the session: a server that is broken for real. */
  toolsAlways404?: boolean
  /** Forget the session of the first GET the server sees (it then gets 404), as if it expired in between. */
  forgetOnFirstGet?: boolean
}

const rpcError = (status: number, code: number, message: string) =>
  HttpResponse.json({ jsonrpc: '2.0', error: { code, message }, id: null }, { status })

/**
 * An msw-scripted Streamable HTTP server, just enough for the SDK `Client`:
 * it issues session ids on initialize, answers 404 for ids it does not know
 * (spec rule 3), 400 without an id, and can forget a session or restart.
 */
export function scriptedServer(url: string, options: ScriptedOptions = {}) {
  const sessions = new Set<string>()
  const seen: SeenRequest[] = []
  const streams = new Set<ReadableStreamDefaultController<Uint8Array>>()
  const listeners = new Set<(r: SeenRequest) => void>()
  let issued = 0

  const see = (r: SeenRequest) => {
    seen.push(r)
    for (const l of listeners) l(r)
  }

  const handlers = [
    http.post(url, async ({ request }) => {
      const sessionId = request.headers.get('mcp-session-id')
      const body = (await request.json()) as { id?: number | string; method?: string; params?: Record<string, unknown> & { protocolVersion?: string } }
      see({ method: 'POST', sessionId, rpcMethod: body.method, params: body.params })
      if (body.method === 'initialize') {
        if (sessionId && !sessions.has(sessionId)) return rpcError(404, -32001, 'Session not found')
        const failure = options.failInitialize?.()
        if (failure) return rpcError(failure, -32603, 'Internal error')
        const id = `session-${++issued}`
        sessions.add(id)
        return HttpResponse.json(
          {
            jsonrpc: '2.0',
            id: body.id,
            result: { protocolVersion: body.params?.protocolVersion, capabilities: { tools: {} }, serverInfo: { name: 'scripted', version: '1.0.0' } }
          },
          { headers: { 'mcp-session-id': id } }
        )
      }
      if (!sessionId) return rpcError(400, -32000, 'Bad Request: Mcp-Session-Id header is required')
      if (!sessions.has(sessionId)) return rpcError(404, -32001, 'Session not found')
      if (body.id === undefined) return new HttpResponse(null, { status: 202 })
      if (body.method === 'tools/list') {
        if (options.toolsAlways404) return rpcError(404, -32001, 'Session not found')
        return HttpResponse.json({ jsonrpc: '2.0', id: body.id, result: { tools: [] } })
      }
      if (body.method === 'tools/call') return HttpResponse.json({ jsonrpc: '2.0', id: body.id, result: { content: [{ type: 'text', text: 'echo' }] } })
      return HttpResponse.json({ jsonrpc: '2.0', id: body.id, error: { code: -32601, message: 'Method not found' } })
    }),
    http.get(url, ({ request }) => {
      const sessionId = request.headers.get('mcp-session-id')
      see({ method: 'GET', sessionId })
      if (!options.getStream) return new HttpResponse(null, { status: 405 })
      if (options.forgetOnFirstGet && sessionId && seen.filter(r => r.method === 'GET').length === 1) sessions.delete(sessionId)
      if (!sessionId) return rpcError(400, -32000, 'Bad Request: Mcp-Session-Id header is required')
      if (!sessions.has(sessionId)) return rpcError(404, -32001, 'Session not found')
      let controller!: ReadableStreamDefaultController<Uint8Array>
      const body = new ReadableStream<Uint8Array>({
        start: c => {
          controller = c
          streams.add(c)
        },
        cancel: () => {
          streams.delete(controller)
        }
      })
      // @note msw does not pass client aborts to mocked streams; watch the signal.
      request.signal.addEventListener('abort', () => {
        streams.delete(controller)
        try {
          controller.close()
        } catch {}
      })
      return new HttpResponse(body, { headers: { 'content-type': 'text/event-stream' } })
    }),
    http.delete(url, ({ request }) => {
      const sessionId = request.headers.get('mcp-session-id')
      see({ method: 'DELETE', sessionId })
      if (!sessionId || !sessions.delete(sessionId)) return rpcError(404, -32001, 'Session not found')
      return new HttpResponse(null, { status: 200 })
    })
  ]

  return {
    handlers,
    seen,
    /** Ends a session as a lifetime policy would. */
    forget(id: string) {
      sessions.delete(id)
    },
    /** Forgets every session and ends every open GET stream, as a server restart does. */
    restart() {
      sessions.clear()
      for (const c of streams) {
        try {
          c.close()
        } catch {}
      }
      streams.clear()
    },
    /** Resolves with the first request (already seen or future) that matches. */
    waitFor(what: string, match: (r: SeenRequest) => boolean, ms = 2_000): Promise<SeenRequest> {
      const found = seen.find(match)
      if (found) return Promise.resolve(found)
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          listeners.delete(listener)
          try {
            expect.fail(`timed out after ${ms} ms waiting for ${what}`)
          } catch (error) {
            reject(error)
          }
        }, ms)
        const listener = (r: SeenRequest) => {
          if (!match(r)) return
          clearTimeout(timer)
          listeners.delete(listener)
          resolve(r)
        }
        listeners.add(listener)
      })
    }
  }
}
