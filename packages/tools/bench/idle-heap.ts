/**
 * Benchmark: heap and RSS per IDLE session for a realistic server (eight
 * tools with schemas, four resources including a template, three prompts,
 * logging and completions), as `maxSessions` turns them into a memory
 * ceiling. The manager (patched SDK, in memory, defaults) against the SDK's
 * own stateful pattern (a `Map` of transports, one McpServer per session, on
 * the unpatched SDK from .matrix/1.32.2/plain), each in its own process.
 *
 *   npm run matrix -- install 1.32.2
 *   npx tsx --conditions=mcps-source packages/tools/bench/idle-heap.ts [--sessions 2000]
 *
 * Each session: initialize (with realistic client capabilities and info),
 * notifications/initialized, one tools/list; then nothing. Heap after four
 * forced GCs (node --expose-gc), before and after; per session = growth / N.
 */
import { fork } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { once } from 'node:events'
import { Agent, createServer, request, type IncomingMessage, type RequestListener, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { matrixRoot, tsNodeArgs } from '../src/paths.js'

type Variant = 'map' | 'manager'
const PROTOCOL = '2025-11-25'
const ACCEPT = 'application/json, text/event-stream'
const plainSdk = join(matrixRoot, '1.32.2', 'plain', 'node_modules', '@modelcontextprotocol', 'sdk', 'dist', 'esm')
const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`)
  return i > 0 ? Number(process.argv[i + 1]) : fallback
}

/** The server every session gets, the same on both sides: what a real MCP server registers. */
function realisticServer(McpServer: any, ResourceTemplate: any, z: any): any {
  const server = new McpServer({ name: 'realistic', version: '1.0.0', title: 'Realistic server' }, { capabilities: { logging: {}, completions: {} } })
  const text = (value: string) => ({ content: [{ type: 'text', text: value }] })
  server.registerTool('search', { description: 'Full-text search', inputSchema: { query: z.string().min(1), limit: z.number().int().min(1).max(100).default(10), tags: z.array(z.string()).optional() } }, async ({ query }: any) => text(query))
  server.registerTool('read_file', { description: 'Reads a file', inputSchema: { path: z.string(), encoding: z.enum(['utf8', 'base64']).default('utf8') } }, async ({ path }: any) => text(path))
  server.registerTool('write_file', { description: 'Writes a file', inputSchema: { path: z.string(), content: z.string(), createDirs: z.boolean().default(false) } }, async () => text('ok'))
  server.registerTool('list_dir', { description: 'Lists a folder', inputSchema: { path: z.string(), recursive: z.boolean().default(false) } }, async () => text('[]'))
  server.registerTool('run_query', { description: 'Runs SQL', inputSchema: { sql: z.string(), params: z.array(z.union([z.string(), z.number(), z.null()])).optional() } }, async () => text('0 rows'))
  server.registerTool('create_issue', { description: 'Files an issue', inputSchema: { title: z.string().max(200), body: z.string(), labels: z.array(z.string()).max(10).optional(), assignee: z.string().optional() } }, async () => text('#1'))
  server.registerTool('translate', { description: 'Translates text', inputSchema: { text: z.string(), from: z.string().length(2).optional(), to: z.string().length(2) } }, async ({ text: t }: any) => text(t))
  server.registerTool('echo', { description: 'Echo', inputSchema: { text: z.string() } }, async ({ text: t }: any) => text(t))
  for (const name of ['readme', 'changelog', 'config']) {
    server.registerResource(name, `file:///project/${name}`, { mimeType: 'text/plain', description: `The ${name}` }, async (uri: URL) => ({ contents: [{ uri: uri.href, text: name }] }))
  }
  server.registerResource('user', new ResourceTemplate('users://{id}/profile', { list: undefined }), { mimeType: 'application/json' }, async (uri: URL) => ({ contents: [{ uri: uri.href, text: '{}' }] }))
  server.registerPrompt('review', { description: 'Code review', argsSchema: { code: z.string(), language: z.string().optional() } }, ({ code }: any) => ({ messages: [{ role: 'user', content: { type: 'text', text: code } }] }))
  server.registerPrompt('summarize', { description: 'Summary', argsSchema: { text: z.string() } }, ({ text: t }: any) => ({ messages: [{ role: 'user', content: { type: 'text', text: t } }] }))
  server.registerPrompt('explain', { description: 'Explain', argsSchema: { topic: z.string() } }, ({ topic }: any) => ({ messages: [{ role: 'user', content: { type: 'text', text: topic } }] }))
  return server
}

async function mapHandler(): Promise<RequestListener> {
  const load = (file: string) => import(pathToFileURL(join(plainSdk, file)).href)
  const [{ StreamableHTTPServerTransport }, { McpServer, ResourceTemplate }, { isInitializeRequest }, { z }] = await Promise.all([load('server/streamableHttp.js'), load('server/mcp.js'), load('types.js'), import('zod')])
  const transports = new Map<string, any>()
  return async (req, res) => {
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    const body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : undefined
    const sessionId = req.headers['mcp-session-id'] as string | undefined
    const known = sessionId ? transports.get(sessionId) : undefined
    if (known) return known.handleRequest(req, res, body)
    if (!sessionId && isInitializeRequest(body)) {
      const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: () => randomUUID(), onsessioninitialized: (id: string) => void transports.set(id, transport) })
      await realisticServer(McpServer, ResourceTemplate, z).connect(transport)
      return transport.handleRequest(req, res, body)
    }
    res.writeHead(400).end()
  }
}

async function managerHandler(): Promise<RequestListener> {
  const [{ createSessionManager }, { McpServer, ResourceTemplate }, { z }] = await Promise.all([
    import('@mcp-sessions/server'), import('@modelcontextprotocol/sdk/server/mcp.js'), import('zod')
  ])
  const manager = createSessionManager({ createServer: () => realisticServer(McpServer, ResourceTemplate, z), maxSessionsPerPrincipal: Infinity })
  return (req: IncomingMessage, res: ServerResponse) => void manager.handleNodeRequest(req, res)
}

async function serve(variant: Variant): Promise<void> {
  const server = createServer(variant === 'map' ? await mapHandler() : await managerHandler())
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  process.on('message', (message: { type: string }) => {
    if (message.type !== 'heap') return
    for (let i = 0; i < 4; i++) (globalThis as { gc?: () => void }).gc!()
    const { heapUsed, rss } = process.memoryUsage()
    process.send!({ heapUsed, rss })
  })
  process.send!({ port: (server.address() as AddressInfo).port })
}

function post(agent: Agent, port: number, body: string, sessionId?: string): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: ACCEPT, 'mcp-protocol-version': PROTOCOL }
    if (sessionId) headers['mcp-session-id'] = sessionId
    const req = request({ host: '127.0.0.1', port, path: '/mcp', method: 'POST', agent, headers }, res => {
      res.resume()
      res.on('end', () => (res.statusCode ?? 0) < 300 ? resolve(res.headers['mcp-session-id'] as string | undefined) : reject(new Error(`HTTP ${res.statusCode}`)))
    })
    req.on('error', reject)
    req.end(body)
  })
}

const initialize = JSON.stringify({
  jsonrpc: '2.0', id: 1, method: 'initialize',
  params: {
    protocolVersion: PROTOCOL,
    capabilities: { roots: { listChanged: true }, sampling: {}, elicitation: { form: {}, url: {} } },
    clientInfo: { name: 'realistic-client', title: 'Realistic Client', version: '3.4.1' }
  }
})

async function measure(variant: Variant, sessions: number) {
  const child = fork(fileURLToPath(import.meta.url), ['--serve', variant], { execArgv: ['--expose-gc', ...tsNodeArgs], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  const [{ port }] = await once(child, 'message') as [{ port: number }]
  const heap = async () => {
    child.send({ type: 'heap' })
    return (await once(child, 'message'))[0] as { heapUsed: number; rss: number }
  }
  const agent = new Agent({ keepAlive: true, maxSockets: 10 })
  const one = async () => {
    const id = await post(agent, port, initialize)
    await post(agent, port, JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }), id)
    await post(agent, port, JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' }), id)
  }
  for (let i = 0; i < 50; i++) await one()
  const before = await heap()
  for (let done = 0; done < sessions; done += 10) await Promise.all(Array.from({ length: 10 }, one))
  const after = await heap()
  agent.destroy()
  child.kill('SIGKILL')
  return { heap: (after.heapUsed - before.heapUsed) / sessions, rss: (after.rss - before.rss) / sessions }
}

if (process.argv[2] === '--serve') {
  await serve(process.argv[3] as Variant)
} else {
  const sessions = arg('sessions', 2000)
  const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`
  const map = await measure('map', sessions)
  const manager = await measure('manager', sessions)
  console.log(`idle sessions: ${sessions}, realistic server (8 tools, 4 resources, 3 prompts), Node ${process.version}`)
  console.log('| per idle session | SDK map pattern (1.32.2 plain) | manager (patched) | ratio |')
  console.log('|---|---|---|---|')
  console.log(`| heap after GC | ${kb(map.heap)} | ${kb(manager.heap)} | ${(manager.heap / map.heap).toFixed(2)} |`)
  console.log(`| RSS | ${kb(map.rss)} | ${kb(manager.rss)} | ${(manager.rss / map.rss).toFixed(2)} |`)
}
