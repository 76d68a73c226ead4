import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js'
import { onTestFinished } from 'vitest'
import { startFront } from '../../helpers/front.js'
import { startServerProcess, type ServerProcess } from '../../helpers/process.js'
import { startRedis } from '../../helpers/redis.js'
import { recordNotifications } from '../../helpers/notifications.js'

export interface NodeStats {
  node: string
  created: number
  servers: number
  hydrated: number
  closed: number
  local: number
  errors: string[]
}

/** A private redis-server, `count` node processes (tests/fixtures/cluster-node.ts) and a round-robin front. */
export async function startCluster(count = 3, env: (index: number) => Record<string, string> = () => ({})) {
  const redis = await startRedis()
  const nodes: ServerProcess[] = await Promise.all(
    Array.from({ length: count }, (_, i) => startServerProcess('tests/fixtures/cluster-node.ts', { REDIS_URL: redis.url, NODE_NAME: `node-${i}`, ...env(i) }, 20_000))
  )
  const front = await startFront(nodes.map(n => n.port))
  const stats = async (i: number) => (await (await fetch(`http://127.0.0.1:${nodes[i]!.port}/stats`)).json()) as NodeStats
  const allStats = () => Promise.all(nodes.map((_, i) => stats(i)))
  return { redis, nodes, front, stats, allStats }
}

/**
 * The SDK client (patched, recoverSession off) through the front, with an
 * elicitation handler and a log of notifications.
 */
export async function connectThrough(url: string, answer: (message: string) => string = message => `answer to ${message}`) {
  const transport = new StreamableHTTPClientTransport(new URL(url), {
    reconnectionOptions: { initialReconnectionDelay: 20, maxReconnectionDelay: 200, reconnectionDelayGrowFactor: 1.5, maxRetries: 10 }
  })
  const client = new Client({ name: 'cluster-test', version: '1.0.0' }, { capabilities: { elicitation: { form: {} } } })
  const log = recordNotifications(client)
  client.setRequestHandler(ElicitRequestSchema, async request => ({ action: 'accept', content: { answer: answer(request.params.message) } }))
  onTestFinished(() => client.close())
  await client.connect(transport)
  return { client, transport, notifications: log.notifications, untilNotifications: (count: number, ms = 5_000) => log.untilNotifications(count, ms) }
}

export const texts = (result: unknown) => ((result as { content: Array<{ text: string }> }).content).map(c => c.text)
