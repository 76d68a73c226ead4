import { http, HttpResponse } from 'msw'

/** A request the scripted server saw. */
export interface SeenRequest {
  method: 'POST' | 'GET' | 'DELETE'
  sessionId: string | null
  rpcMethod?: string
}

const rpcError = (status: number, code: number, message: string) =>
  HttpResponse.json({ jsonrpc: '2.0', error: { code, message }, id: null }, { status })

/**
 * An msw-scripted Streamable HTTP server, just enough for the SDK `Client`:
 * it issues session ids on initialize, answers 404 for ids it does not know
 * (spec rule 3), 400 without an id, and can forget a session on demand.
 */
export function scriptedServer(url: string) {
  const sessions = new Set<string>()
  const seen: SeenRequest[] = []
  let issued = 0

  const handlers = [
    http.post(url, async ({ request }) => {
      const sessionId = request.headers.get('mcp-session-id')
      const body = (await request.json()) as { id?: number | string; method?: string; params?: { protocolVersion?: string } }
      seen.push({ method: 'POST', sessionId, rpcMethod: body.method })
      if (body.method === 'initialize') {
        if (sessionId && !sessions.has(sessionId)) return rpcError(404, -32001, 'Session not found')
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
      if (body.method === 'tools/list') return HttpResponse.json({ jsonrpc: '2.0', id: body.id, result: { tools: [] } })
      return HttpResponse.json({ jsonrpc: '2.0', id: body.id, error: { code: -32601, message: 'Method not found' } })
    }),
    http.get(url, ({ request }) => {
      seen.push({ method: 'GET', sessionId: request.headers.get('mcp-session-id') })
      return new HttpResponse(null, { status: 405 })
    }),
    http.delete(url, ({ request }) => {
      const sessionId = request.headers.get('mcp-session-id')
      seen.push({ method: 'DELETE', sessionId })
      if (!sessionId || !sessions.delete(sessionId)) return rpcError(404, -32001, 'Session not found')
      return new HttpResponse(null, { status: 200 })
    })
  ]

  return {
    handlers,
    seen,
    /** Ends a session as a server restart or a lifetime policy would. */
    forget(id: string) {
      sessions.delete(id)
    }
  }
}
