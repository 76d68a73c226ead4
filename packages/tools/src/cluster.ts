/**
 * A local three-node MCP cluster on Redis, one command:
 *
 *   npm run cluster                       # front on http://127.0.0.1:3000/mcp
 *   npm run cluster -- --port 8080 --nodes 3
 *   REDIS_URL=redis://host:6379 npm run cluster   # use your Redis instead of a private one
 *
 * Starts a private redis-server (temp dir, free port, nothing persisted)
 * unless REDIS_URL is set, N demo nodes (packages/tools/src/cluster/node.ts:
 * tools echo, notify, ask, slow) and a per-request round-robin front without
 * stickiness. Ctrl-C stops everything it started, by PID.
 */
import { startFront } from './cluster/front.js'
import { startNode, startRedisServer } from './cluster/processes.js'

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`)
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback
}

const count = Math.max(1, Number(arg('nodes', '3')))
const frontPort = Number(arg('port', '3000'))
const cleanups: Array<() => Promise<void>> = []
let stopping = false

async function stopAll(code: number): Promise<never> {
  if (!stopping) {
    stopping = true
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {})
  }
  process.exit(code)
}
process.on('SIGINT', () => void stopAll(0))
process.on('SIGTERM', () => void stopAll(0))

try {
  let redisUrl = process.env.REDIS_URL
  if (!redisUrl) {
    const redis = await startRedisServer()
    cleanups.push(redis.stop)
    redisUrl = redis.url
  }
  const nodes = await Promise.all(Array.from({ length: count }, (_, i) => startNode({ REDIS_URL: redisUrl!, NODE_NAME: `node-${i}`, PORT: '0' })))
  for (const node of nodes) {
    cleanups.push(async () => {
      // A clean stop first (the node drops its local objects; sessions stay in Redis), then SIGKILL.
      const timer = setTimeout(() => void node.kill('SIGKILL'), 2_000)
      await node.kill('SIGTERM')
      clearTimeout(timer)
    })
  }
  const front = await startFront(nodes.map(n => n.port), { port: frontPort })
  cleanups.push(front.close)
  process.stdout.write([
    `redis   ${redisUrl}${process.env.REDIS_URL ? '' : ' (private, nothing persisted)'}`,
    ...nodes.map((n, i) => `node-${i}  http://127.0.0.1:${n.port}/mcp  (pid ${n.child.pid}; stats: /stats)`),
    `front   ${front.url}   <- point your MCP client here (round-robin, no stickiness)`,
    'Ctrl-C stops everything.',
    ''
  ].join('\n'))
  for (const [i, node] of nodes.entries()) {
    node.child.once('exit', (code, signal) => {
      if (!stopping) process.stdout.write(`node-${i} exited (${signal ?? code}); the front skips it, its sessions continue on the others\n`)
    })
  }
} catch (error) {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`)
  await stopAll(1)
}
