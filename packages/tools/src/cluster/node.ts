/**
 * One node of the demo multi-node MCP server (the local cluster of
 * `packages/tools/src/cluster.ts`, the multi-node tests and the cluster
 * benchmark): node:http + the session manager on Redis (REDIS_URL) + tools:
 * `echo`, `notify` (a log message on the GET stream, sent by whichever node
 * serves the call), `ask` (an elicitation round trip), `slow` (streams `count`
 * log messages related to the call, then the result), and the fault suite's
 * numbered `tick` and `parts` (cluster/fault-tools.ts; EMIT_LOG names the
 * file they log what they sent to). GET /stats reports counters, GET streams
 * by kind included. Prints `listening <port>` when ready. SERVER_MODULE names a module
 * whose `createServer` export builds each session's server instead of the demo
 * tools (the interop tests put the conformance fixture on the cluster this way).
 *
 * Environment: REDIS_URL, STORE=memory, NODE_NAME, PORT, STREAM_GRACE_MS,
 * MAX_LOCAL_SESSIONS, IDLE_TIMEOUT_MS, STREAM_KEEP_ALIVE_MS (the manager's SSE
 * comment interval), HTTP_KEEP_ALIVE_MS (idle keep-alive of node:http; behind
 * a balancer that reuses connections it must outlast the balancer's pool),
 * MAX_SESSIONS_PER_PRINCIPAL (the quota; behind a proxy every caller without a
 * principal has the proxy's address, so they all share it), SHUTDOWN_GRACE_MS,
 * EMIT_LOG, SERVER_MODULE.
 */
import { createServer } from 'node:http'
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { z } from 'zod'
import { redisSessions } from '@mcp-sessions/redis'
import { createSessionManager } from '@mcp-sessions/server'
import { openEmitLog, registerFaultTools, type FaultToolStats } from './fault-tools.js'
import { StreamCounters } from './stream-counters.js'

const name = process.env.NODE_NAME ?? `node-${process.pid}`
const stats = { node: name, pid: process.pid, created: 0, servers: 0, hydrated: 0, closed: 0, errors: [] as string[] }
const faultStats: FaultToolStats = { ticks: 0, parts: 0, inFlight: 0, partsInFlight: 0 }
const emitLog = openEmitLog(process.env.EMIT_LOG)
const streams = new StreamCounters()

const redis = process.env.STORE === 'memory' ? undefined : await redisSessions({
  url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
  maxAgeMs: Number(process.env.STREAM_GRACE_MS ?? 300_000),
  onError: error => void stats.errors.push(String((error as Error)?.message ?? error))
})

type Build = (context: { hydrated?: boolean }) => McpServer
const custom = process.env.SERVER_MODULE ? ((await import(process.env.SERVER_MODULE)) as { createServer: Build }).createServer : undefined

// STORE=memory: the single-node in-memory baseline of the benchmark.
const manager = createSessionManager({
  ...(process.env.STORE === 'memory' ? {} : redis),
  maxLocalSessions: process.env.MAX_LOCAL_SESSIONS ? Number(process.env.MAX_LOCAL_SESSIONS) : undefined,
  idleTimeoutMs: process.env.IDLE_TIMEOUT_MS ? Number(process.env.IDLE_TIMEOUT_MS) : undefined,
  streamKeepAliveMs: process.env.STREAM_KEEP_ALIVE_MS ? Number(process.env.STREAM_KEEP_ALIVE_MS) : undefined,
  maxSessionsPerPrincipal: process.env.MAX_SESSIONS_PER_PRINCIPAL ? Number(process.env.MAX_SESSIONS_PER_PRINCIPAL) : undefined,
  createServer: ({ hydrated }) => {
    stats.servers++
    if (hydrated) stats.hydrated++
    if (custom) return custom({ hydrated })
    const server = new McpServer({ name: 'cluster-demo', version: '1.0.0' }, { capabilities: { logging: {} } })
    server.registerTool('echo', { inputSchema: { text: z.string() } }, async ({ text }) => ({
      content: [{ type: 'text', text }, { type: 'text', text: `served by ${name}` }]
    }))
    server.registerTool('notify', { inputSchema: { text: z.string() } }, async ({ text }) => {
      // No related request: the message goes to the session's GET stream, wherever it is open.
      await server.server.sendLoggingMessage({ level: 'info', data: text })
      return { content: [{ type: 'text', text: `notified by ${name}` }] }
    })
    server.registerTool('ask', { inputSchema: { question: z.string() } }, async ({ question }, extra) => {
      // Related to the call: the request goes out on the call's own stream.
      const answer = await server.server.elicitInput({
        message: question,
        requestedSchema: { type: 'object', properties: { answer: { type: 'string' } }, required: ['answer'] }
      }, { relatedRequestId: extra.requestId })
      return { content: [{ type: 'text', text: `${answer.action}:${String(answer.content?.answer ?? '')}` }, { type: 'text', text: `asked by ${name}` }] }
    })
    server.registerTool('slow', { inputSchema: { count: z.number().int().min(1).max(1_000), delayMs: z.number().int().min(0).max(1_000) } }, async ({ count, delayMs }, extra) => {
      for (let i = 1; i <= count; i++) {
        await extra.sendNotification({ method: 'notifications/message', params: { level: 'info', data: `part ${i}` } })
        if (delayMs) await new Promise(resolve => setTimeout(resolve, delayMs))
      }
      return { content: [{ type: 'text', text: `done ${count}` }, { type: 'text', text: `streamed by ${name}` }] }
    })
    registerFaultTools(server, { node: name, log: emitLog, stats: faultStats })
    return server
  },
  onSessionCreated: () => void stats.created++,
  onSessionClosed: () => void stats.closed++,
  onError: error => void stats.errors.push(`${error.code}: ${error.message}`)
})

const http = createServer((req, res) => {
  if (req.url === '/stats' || req.url === '/stats?gc=1') {
    // With --expose-gc, `?gc=1` collects first, so rss/heap reflect what is retained.
    if (req.url.endsWith('gc=1')) (globalThis as { gc?: () => void }).gc?.()
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ...stats, ...faultStats, streams, local: manager.size, rss: process.memoryUsage().rss, heapUsed: process.memoryUsage().heapUsed }))
    return
  }
  if (req.url !== '/mcp') {
    res.writeHead(404).end()
    return
  }
  streams.track(req, res)
  void manager.handleNodeRequest(req, res)
})
if (process.env.HTTP_KEEP_ALIVE_MS) http.keepAliveTimeout = Number(process.env.HTTP_KEEP_ALIVE_MS)
http.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const address = http.address()
  process.stdout.write(`listening ${typeof address === 'object' && address ? address.port : ''}\n`)
})
const stop = () => {
  // Graceful and bounded: no new connections, GET streams end so their clients resume on another node, calls in
  // flight finish (their answers also reach Redis for a client that resumes elsewhere), then the process exits.
  const graceMs = Number(process.env.SHUTDOWN_GRACE_MS ?? 10_000)
  setTimeout(() => process.exit(0), graceMs + 2_000).unref()
  http.close()
  void manager.shutdown({ graceMs }).finally(() => {
    http.closeAllConnections()
    process.exit(0)
  })
}
process.on('SIGTERM', stop)
process.on('SIGINT', stop)
