/**
 * One benchmark server process, `node --expose-gc --import tsx bench-server.ts <variant>`;
 * prints `listening <port>` (see processes.ts). Every MCP variant serves the same McpServer
 * (tools echo, slow, notify) on node:http at /mcp, SSE answers:
 *
 *   ceiling     raw node:http answering a tiny JSON body: what the machine and the load generator allow
 *   map         the SDK's own pattern, `Map<sessionId, StreamableHTTPServerTransport>`, on the UNPATCHED
 *               SDK 1.32.2 (.matrix/1.32.2/plain); the app reads and parses the body and passes it as
 *               `parsedBody`, as the SDK's examples do with express.json()
 *   map-events  the same with the SDK example's InMemoryEventStore (dist/esm/examples/shared)
 *   floor       what the manager is built on, and nothing else: a Map of the repo's (patched) SDK
 *               WebStandardStreamableHTTPServerTransport, each with a MemoryEventStore, behind
 *               @hono/node-server's listener (as the manager's Node entry point uses it), the body
 *               parsed by the app, the answer written by hono. manager minus floor = the manager's own cost
 *   manager     the @mcp-sessions/server quick start (packages/server/README.md): the built package
 *               (dist, as users run it) on the repo's patched SDK, in memory
 *   candidate   the same, with the manager loaded from MCPS_BENCH_MANAGER (another build's dist/index.js)
 *   redis       the quick start on Redis: `...(await redisSessions({ url: REDIS_URL }))` from @mcp-sessions/redis
 *               (or from the builds in MCPS_BENCH_REDIS and MCPS_BENCH_MANAGER: a redis candidate)
 *
 * IPC: `heap` answers heapUsed and rss after GC; `mark` answers the monotonic clock in µs (the
 * time base of `--cpu-prof`); `snapshot` writes a heap snapshot to `path`; `exit` exits, so a
 * `--cpu-prof` profile is written.
 */
import { randomUUID } from 'node:crypto'
import { createServer, type IncomingMessage, type RequestListener, type ServerResponse } from 'node:http'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { writeHeapSnapshot } from 'node:v8'
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { z } from 'zod'
import { readText } from '../../../../tests/helpers/sessions-app.js'
import { plainSdk } from './paths.js'
import type { Variant } from './processes.js'

/** The one MCP server every variant serves (built from that variant's SDK copy). */
function withTools<S extends McpServer>(server: S): S {
  server.registerTool('echo', { inputSchema: { text: z.string() } }, ({ text }) => ({ content: [{ type: 'text', text }] }))
  // A streamed call: `count` log messages related to the call, then the result, on the call's own stream.
  server.registerTool('slow', { inputSchema: { count: z.number().int().min(1).max(100), delayMs: z.number().int().min(0).max(1_000) } }, async ({ count, delayMs }, extra) => {
    for (let i = 1; i <= count; i++) {
      await extra.sendNotification({ method: 'notifications/message', params: { level: 'info', data: `part ${i}` } })
      if (delayMs) await new Promise(resolve => setTimeout(resolve, delayMs))
    }
    return { content: [{ type: 'text', text: `done ${count}` }] }
  })
  // Not related to the call: the message goes to the session's GET stream.
  server.registerTool('notify', { inputSchema: { text: z.string() } }, async ({ text }) => {
    await server.server.sendLoggingMessage({ level: 'info', data: text })
    return { content: [{ type: 'text', text: 'notified' }] }
  })
  return server
}

const info = { name: 'bench', version: '1.0.0' }
const options = { capabilities: { logging: {} } }
const isMcp = (req: IncomingMessage) => req.url?.split('?')[0] === '/mcp'
const notFound = (res: ServerResponse) => void res.writeHead(404).end()

function rpcError(res: ServerResponse, status: number, code: number, message: string): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ jsonrpc: '2.0', error: { code, message }, id: null }))
}

async function mapPattern(withEventStore: boolean): Promise<RequestListener> {
  const load = (path: string) => import(pathToFileURL(join(plainSdk, path)).href)
  const [{ StreamableHTTPServerTransport }, mcp, { isInitializeRequest }, { InMemoryEventStore }] = await Promise.all([
    load('server/streamableHttp.js'), load('server/mcp.js'), load('types.js'), load('examples/shared/inMemoryEventStore.js')
  ])
  const PlainMcpServer = mcp.McpServer as typeof McpServer
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const transports = new Map<string, any>()
  return async (req, res) => {
    if (!isMcp(req)) return notFound(res)
    let body: unknown
    try {
      body = req.method === 'POST' ? JSON.parse(await readText(req)) : undefined
    } catch {
      return rpcError(res, 400, -32700, 'Parse error')
    }
    const sessionId = req.headers['mcp-session-id']
    let transport = typeof sessionId === 'string' ? transports.get(sessionId) : undefined
    if (!transport) {
      if (sessionId !== undefined) return rpcError(res, 404, -32001, 'Session not found')
      if (!isInitializeRequest(body)) return rpcError(res, 400, -32000, 'Bad Request: No valid session ID provided')
      const created = new StreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        eventStore: withEventStore ? new InMemoryEventStore() : undefined,
        onsessioninitialized: (id: string) => void transports.set(id, created)
      })
      created.onclose = () => {
        if (created.sessionId) transports.delete(created.sessionId)
      }
      await withTools(new PlainMcpServer(info, options)).connect(created)
      transport = created
    }
    await transport.handleRequest(req, res, body)
  }
}

/** See `floor` above: the manager's parts without the manager. */
async function floor(): Promise<RequestListener> {
  const [{ getRequestListener }, { WebStandardStreamableHTTPServerTransport }, { MemoryEventStore }, { isInitializeRequest }] = await Promise.all([
    import('@hono/node-server'), import('@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js'), import('@mcp-sessions/server'), import('@modelcontextprotocol/sdk/types.js')
  ])
  const transports = new Map<string, InstanceType<typeof WebStandardStreamableHTTPServerTransport>>()
  const listener = getRequestListener(async (request, env) => {
    const req = env.incoming as IncomingMessage
    let body: unknown
    try {
      body = req.method === 'POST' ? JSON.parse(await readText(req)) : undefined
    } catch {
      return Response.json({ jsonrpc: '2.0', error: { code: -32700, message: 'Parse error' }, id: null }, { status: 400 })
    }
    const sessionId = request.headers.get('mcp-session-id')
    let transport = sessionId !== null ? transports.get(sessionId) : undefined
    if (!transport) {
      if (sessionId !== null || !isInitializeRequest(body)) return Response.json({ jsonrpc: '2.0', error: { code: -32001, message: 'Session not found' }, id: null }, { status: 404 })
      const created = new WebStandardStreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        eventStore: new MemoryEventStore(),
        onsessioninitialized: id => void transports.set(id, created)
      })
      await withTools(new McpServer(info, options)).connect(created)
      transport = created
    }
    return transport.handleRequest(request, { parsedBody: body })
  }, { overrideGlobalObjects: false, autoCleanupIncoming: false })
  return (req, res) => {
    if (!isMcp(req)) return notFound(res)
    void listener(req, res)
  }
}

async function quickStart(from: string, extra: object = {}): Promise<RequestListener> {
  const { createSessionManager } = (await import(from)) as typeof import('@mcp-sessions/server')
  // Every benchmark session comes from one address: the per-caller quota (100) would evict (in memory) or refuse
  // (Redis) all but 100. It is the only default changed here (the benchmark's header line says so).
  const manager = createSessionManager({ maxSessionsPerPrincipal: Infinity, ...extra, createServer: () => withTools(new McpServer(info, options)) })
  return (req, res) => {
    if (!isMcp(req)) return notFound(res)
    void manager.handleNodeRequest(req, res)
  }
}

const ceiling: RequestListener = (_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': '11' }).end('{"ok":true}')
}

const listeners: Record<Variant, () => Promise<RequestListener>> = {
  ceiling: async () => ceiling,
  map: () => mapPattern(false),
  'map-events': () => mapPattern(true),
  floor,
  manager: () => quickStart('@mcp-sessions/server'),
  candidate: () => quickStart(pathToFileURL(process.env.MCPS_BENCH_MANAGER!).href),
  redis: async () => {
    const { MCPS_BENCH_REDIS: redisBuild, MCPS_BENCH_MANAGER: managerBuild } = process.env
    const { redisSessions } = (await import(redisBuild ? pathToFileURL(redisBuild).href : '@mcp-sessions/redis')) as typeof import('@mcp-sessions/redis')
    return quickStart(managerBuild ? pathToFileURL(managerBuild).href : '@mcp-sessions/server', await redisSessions({ url: process.env.REDIS_URL! }))
  }
}

const variant = process.argv[2] as Variant
const http = createServer(await listeners[variant]())
http.keepAliveTimeout = 60_000
http.listen(0, '127.0.0.1', () => {
  const address = http.address()
  process.stdout.write(`listening ${typeof address === 'object' && address ? address.port : ''}\n`)
})
process.on('message', (message: { type: string; path?: string }) => {
  if (message.type === 'exit') process.exit(0)
  if (message.type === 'mark') process.send!(Number(process.hrtime.bigint() / 1000n))
  if (message.type === 'snapshot') process.send!(writeHeapSnapshot(message.path))
  if (message.type === 'heap') {
    for (let i = 0; i < 3; i++) (globalThis as { gc?: () => void }).gc?.()
    const { heapUsed, rss } = process.memoryUsage()
    process.send!({ heapUsed, rss })
  }
})
