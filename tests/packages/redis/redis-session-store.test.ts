import { afterAll, beforeAll, expect, it } from 'vitest'
import { RedisSessionStore } from '@mcp-sessions/redis'
import { startRedis, type RedisServer } from '../../helpers/redis.js'
import { storeContract } from '../server/store-contract.js'

let redis: RedisServer
const cleanups: Array<() => Promise<void>> = []
beforeAll(async () => {
  redis = await startRedis(cleanup => cleanups.push(cleanup))
})
afterAll(async () => {
  for (const cleanup of cleanups) await cleanup()
})

let run = 0
storeContract('RedisSessionStore', async () => {
  const client = await redis.client()
  // A fresh key prefix per test: the contract reuses ids like "s1".
  const store = new RedisSessionStore({ client, prefix: `contract${++run}` })
  return {
    store,
    // Redis expires by its own clock: let the time pass.
    advance: ms => new Promise(resolve => setTimeout(resolve, ms))
  }
})

it('keeps every key of a session under its hash tag, with the TTL in Redis', async () => {
  const client = await redis.client()
  const store = new RedisSessionStore({ client, prefix: 'layout' })
  const state = { sessionId: 'abc', protocolVersion: '2025-11-25', clientInfo: { name: 'c', version: '1' }, clientCapabilities: { roots: { listChanged: true }, list: [] } }
  await store.create({ id: 'abc', state, principal: undefined, createdAt: 1, lastActiveAt: 1 }, 60_000)
  expect(await client.keys('layout:*')).toEqual(['layout:{abc}:session'])
  const ttl = await client.pTTL('layout:{abc}:session')
  expect(ttl).toBeGreaterThan(59_000)
  expect(ttl).toBeLessThanOrEqual(60_000)
  // The state round-trips byte for byte (an empty array stays an array).
  expect((await store.get('abc'))?.state).toEqual(state)
})

it('rejects store calls while Redis is down and works again once it is back', async () => {
  const own = await startRedis()
  const client = await own.client()
  const store = new RedisSessionStore({ client })
  const record = { id: 'x', state: { sessionId: 'x', protocolVersion: '2025-11-25', clientInfo: { name: 'c', version: '1' }, clientCapabilities: {} }, principal: 'p', createdAt: 1, lastActiveAt: 1 }
  expect(await store.create(record, 60_000)).toBe(true)
  await own.stop()
  await expect(store.get('x')).rejects.toThrow()
  await own.start()
  // The client reconnects on its own; the restarted server is empty.
  let value: unknown = 'pending'
  for (let i = 0; i < 100 && value === 'pending'; i++) {
    value = await store.get('x').catch(() => 'pending')
    if (value === 'pending') await new Promise(resolve => setTimeout(resolve, 50))
  }
  expect(value).toBeUndefined()
  expect(await store.create(record, 60_000)).toBe(true)
})
