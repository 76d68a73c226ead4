import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js'
import { expect, it } from 'vitest'
import { redisSessions } from '@mcp-sessions/redis'
import { startRedis } from '../../helpers/redis.js'
import { nextEvent } from '../../helpers/wait.js'

const answer: JSONRPCMessage = { jsonrpc: '2.0', id: 'mcps:a:1', result: { action: 'accept' } }

it('delivers an answer published for a node to that node only', async () => {
  const redis = await startRedis()
  const a = await redisSessions({ client: await redis.client(), nodeId: 'a', onError: () => {} })
  const b = await redisSessions({ client: await redis.client(), nodeId: 'b', onError: () => {} })
  const got: Array<[string, string, JSONRPCMessage]> = []
  let arrived!: () => void
  const delivered = nextEvent<void>('the answer on node a', deliver => (arrived = deliver))
  await a.relay.listen((session, message) => (got.push(['a', session, message]), arrived()))
  await b.relay.listen((session, message) => void got.push(['b', session, message]))
  await b.relay.forward('a', 'session-1', answer)
  await delivered
  expect(got).toEqual([['a', 'session-1', answer]])
  await a.store.close()
  await b.store.close()
})

it('starts listening once Redis is back when it was down at start', async () => {
  const redis = await startRedis()
  const client = await redis.client()
  await redis.stop()
  const a = await redisSessions({ client, nodeId: 'a', onError: () => {} })
  let arrived!: () => void
  const delivered = nextEvent<void>('the answer after Redis returned', deliver => (arrived = deliver), 10_000)
  // As the manager does: not awaited (the subscriber keeps connecting, or the relay retries).
  void a.relay.listen(() => arrived()).catch(() => {})
  await redis.start()
  const b = await redisSessions({ client: await redis.client(), nodeId: 'b', onError: () => {} })
  // Publish until the retrying subscription is in place (bounded by the wait above).
  let done = false
  void delivered.then(() => (done = true), () => (done = true))
  for (let i = 0; i < 100 && !done; i++) {
    await b.relay.forward('a', 's', answer).catch(() => {})
    await new Promise(resolve => setTimeout(resolve, 100))
  }
  await delivered
  await a.store.close()
  await b.store.close()
}, 15_000)
