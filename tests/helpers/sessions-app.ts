import { randomUUID } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { Readable } from 'node:stream'

/**
 * The SDK README's "sessions map" server, as a plain node:http handler: one
 * transport and one McpServer per session, kept in a map filled by
 * `onsessioninitialized` and emptied by `onclose`. No vitest imports, so the
 * benchmark runs the very same workload.
 *
 * - `kind: 'node'` uses `StreamableHTTPServerTransport.handleRequest(req, res, parsedBody)`.
 * - `kind: 'web'` uses `WebStandardStreamableHTTPServerTransport` (SDK >= 1.25)
 *   through `bridgeToWeb`, a small node <-> fetch bridge.
 *
 * @example
 * const sdk = await loadSessionSdk(path => loadSdk(path, 'esm'))
 * const app = sessionsApp(sdk, { kind: 'node' })
 * const { port } = await listen(app.handler, { keepAliveTimeout: 500 })
 */
export interface SessionSdk {
  McpServer: any
  NodeTransport: any
  /** Undefined before SDK 1.25, which has no web-standard transport. */
  WebTransport: any
  isInitializeRequest: (value: unknown) => boolean
}

export async function loadSessionSdk(load: (subpath: string) => Promise<any>): Promise<SessionSdk> {
  const [{ McpServer }, { StreamableHTTPServerTransport }, { isInitializeRequest }] = await Promise.all([
    load('server/mcp.js'),
    load('server/streamableHttp.js'),
    load('types.js')
  ])
  const web = await load('server/webStandardStreamableHttp.js').catch(() => undefined)
  return { McpServer, NodeTransport: StreamableHTTPServerTransport, WebTransport: web?.WebStandardStreamableHTTPServerTransport, isInitializeRequest }
}

export interface SessionsAppOptions {
  kind: 'node' | 'web'
  /** Read and parse the POST body before the transport sees it (as express.json() does). */
  parseBody?: boolean
  /** The anti-pattern from stateless examples: close the transport when the response closes. */
  closeOnResponseClose?: boolean
  /** What the `wait` tool awaits before answering. */
  waitFor?: () => Promise<void>
  /** Extra transport options. */
  transportOptions?: Record<string, unknown>
}

export interface SessionsApp {
  handler: (req: IncomingMessage, res: ServerResponse) => void
  transports: Map<string, any>
  /** Every session's transport `onclose` calls, by session id. */
  closes: Map<string, number>
}

export function sessionsApp(sdk: SessionSdk, options: SessionsAppOptions): SessionsApp {
  const transports = new Map<string, any>()
  const closes = new Map<string, number>()
  const Transport = options.kind === 'web' ? sdk.WebTransport : sdk.NodeTransport
  if (!Transport) throw new Error(`[mcp-sessions] Failed to build the sessions app: this SDK has no ${options.kind} transport.`)

  async function newSession() {
    const transport = new Transport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id: string) => void transports.set(id, transport),
      ...options.transportOptions
    })
    transport.onclose = () => {
      const id = transport.sessionId as string | undefined
      if (id === undefined) return
      closes.set(id, (closes.get(id) ?? 0) + 1)
      transports.delete(id)
    }
    const server = new sdk.McpServer({ name: 'sessions-app', version: '1.0.0' })
    server.registerTool('echo', { description: 'Answers with a fixed text' }, async () => ({ content: [{ type: 'text', text: 'echo' }] }))
    server.registerTool('wait', { description: 'Answers once the test lets it' }, async () => {
      await options.waitFor?.()
      return { content: [{ type: 'text', text: 'waited' }] }
    })
    await server.connect(transport)
    return transport
  }

  const handler = async (req: IncomingMessage, res: ServerResponse) => {
    try {
      const parsedBody = options.parseBody && req.method === 'POST' ? JSON.parse(await readText(req)) : undefined
      const sid = req.headers['mcp-session-id']
      let transport = typeof sid === 'string' ? transports.get(sid) : undefined
      if (!transport) {
        if (sid !== undefined) return sendJson(res, 404, { jsonrpc: '2.0', error: { code: -32001, message: 'Session not found' }, id: null })
        const initializing = req.method === 'POST' && (parsedBody === undefined || sdk.isInitializeRequest(parsedBody))
        if (!initializing) return sendJson(res, 400, { jsonrpc: '2.0', error: { code: -32000, message: 'Bad Request: No valid session ID provided' }, id: null })
        transport = await newSession()
      }
      if (options.closeOnResponseClose) res.on('close', () => void transport.close())
      if (options.kind === 'web') await bridgeToWeb(req, res, transport, parsedBody)
      else await transport.handleRequest(req, res, parsedBody)
    } catch (error) {
      if (!res.headersSent) sendJson(res, 500, { jsonrpc: '2.0', error: { code: -32603, message: String(error) }, id: null })
      else res.destroy()
    }
  }
  return { handler: (req, res) => void handler(req, res), transports, closes }
}

/**
 * Hands a node request to a web-standard transport and writes its Response
 * back. When the node response closes first (the client went away), the body
 * stream is cancelled, as @hono/node-server does for the Node wrapper.
 */
export async function bridgeToWeb(req: IncomingMessage, res: ServerResponse, transport: any, parsedBody?: unknown): Promise<void> {
  const headers = new Headers()
  for (const [name, value] of Object.entries(req.headers)) {
    if (typeof value === 'string') headers.set(name, value)
    else if (Array.isArray(value)) for (const v of value) headers.append(name, v)
  }
  const init: RequestInit & { duplex?: 'half' } = { method: req.method, headers }
  if (req.method === 'POST' && parsedBody === undefined) {
    init.body = Readable.toWeb(req) as ReadableStream
    init.duplex = 'half'
  }
  const response: Response = await transport.handleRequest(new Request(`http://${req.headers.host}${req.url}`, init), parsedBody === undefined ? undefined : { parsedBody })
  res.writeHead(response.status, Object.fromEntries(response.headers))
  if (!response.body) {
    res.end()
    return
  }
  res.flushHeaders()
  const reader = response.body.getReader()
  res.on('close', () => void reader.cancel().catch(() => {}))
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      res.write(value)
    }
  } catch {
    // The stream was cancelled because the response closed.
  }
  res.end()
}

export function readText(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    req.on('data', c => chunks.push(c))
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    req.on('error', reject)
  })
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body)
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }).end(text)
}
