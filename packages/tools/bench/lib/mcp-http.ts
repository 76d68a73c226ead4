import { Agent, request } from 'node:http'

/** The protocol revision the benchmark speaks (the one with priming events). */
export const PROTOCOL = '2025-11-25'

let nextId = 10

/** A raw MCP client on one port: setup and counting only, never the measured load (that is wrk). */
export interface McpHttp {
  post(body: unknown, sessionId?: string): Promise<{ status: number; sessionId: string | undefined; text: string }>
  /** initialize + notifications/initialized; resolves with the new session's id. */
  openSession(): Promise<string>
  /** `count` sessions, `concurrency` at a time. */
  openSessions(count: number, concurrency?: number): Promise<string[]>
  /** A tools/call that must answer 200 with a result; resolves with the SSE body. */
  callTool(sessionId: string, name: string, args: Record<string, unknown>): Promise<string>
  /** Opens the session's GET stream; `events` counts the `data:` lines received so far. */
  openGetStream(sessionId: string): Promise<{ events(): number; close(): void }>
  /** Closes the pooled connections. */
  close(): void
}

/**
 * An MCP client over node:http keep-alive connections (at most `maxSockets`) to `127.0.0.1:<port>/mcp`.
 *
 * @example
 * const ids = await mcpHttp(server.port).openSessions(1_000)
 */
export function mcpHttp(port: number, options: { maxSockets?: number } = {}): McpHttp {
  const agent = new Agent({ keepAlive: true, maxSockets: options.maxSockets ?? 16 })
  const headers = (sessionId?: string): Record<string, string> => ({
    'content-type': 'application/json',
    accept: 'application/json, text/event-stream',
    ...(sessionId ? { 'mcp-session-id': sessionId, 'mcp-protocol-version': PROTOCOL } : {})
  })
  const post: McpHttp['post'] = (body, sessionId) => new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/mcp', method: 'POST', agent, headers: headers(sessionId) }, res => {
      let text = ''
      res.setEncoding('utf8')
      res.on('data', chunk => (text += chunk))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, sessionId: res.headers['mcp-session-id'] as string | undefined, text }))
      res.on('error', reject)
    })
    req.on('error', reject)
    req.end(JSON.stringify(body))
  })
  const openSession = async () => {
    const init = await post({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: PROTOCOL, capabilities: {}, clientInfo: { name: 'bench', version: '1' } } })
    if (init.status !== 200 || !init.sessionId) throw new Error(`[mcp-sessions] Failed to open a benchmark session on port ${port}: initialize answered ${init.status} ${init.text.slice(0, 200)}`)
    await post({ jsonrpc: '2.0', method: 'notifications/initialized' }, init.sessionId)
    return init.sessionId
  }
  return {
    post,
    openSession,
    async openSessions(count, concurrency = 10) {
      const ids: string[] = []
      let started = 0
      await Promise.all(Array.from({ length: concurrency }, async () => {
        while (started++ < count) ids.push(await openSession())
      }))
      return ids
    },
    async callTool(sessionId, name, args) {
      const r = await post({ jsonrpc: '2.0', id: nextId++, method: 'tools/call', params: { name, arguments: args } }, sessionId)
      if (r.status !== 200 || !r.text.includes('"result"')) throw new Error(`[mcp-sessions] Failed to call ${name} on port ${port}: ${r.status} ${r.text.slice(0, 200)}`)
      return r.text
    },
    openGetStream(sessionId) {
      return new Promise((resolve, reject) => {
        let events = 0
        let partial = ''
        // Its own connection: an open stream must not hold a pooled socket.
        const req = request({ host: '127.0.0.1', port, path: '/mcp', method: 'GET', agent: false, headers: { ...headers(sessionId), accept: 'text/event-stream' } }, res => {
          if (res.statusCode !== 200) return reject(new Error(`[mcp-sessions] Failed to open a GET stream on port ${port}: ${res.statusCode}`))
          res.setEncoding('utf8')
          res.on('data', (chunk: string) => {
            const lines = (partial + chunk).split('\n')
            partial = lines.pop()!
            for (const line of lines) if (line.startsWith('data: {')) events++
          })
          res.on('error', () => {})
          resolve({ events: () => events, close: () => req.destroy() })
        })
        req.on('error', reject)
        req.end()
      })
    },
    close: () => agent.destroy()
  }
}
