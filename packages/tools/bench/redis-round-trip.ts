/**
 * Benchmark (issue 16): what one Redis round trip costs the node, by how many commands are in flight together.
 *
 *   npx tsx packages/tools/bench/redis-round-trip.ts [--depths 1,3,10] [--commands 40000]
 *
 * A private redis-server on a free loopback port; one node-redis client with its per-command timer off,
 * as `redisSessions` creates it (the offline queue and reconnect options it also sets cost nothing here). `depth` workers each send an `XADD` of an echo call's
 * answer and wait for its reply before the next, so `depth` commands are in flight at a time (node-redis
 * writes the commands of one tick together). Prints commands/s and this process's CPU per command
 * (user and kernel, from process.cpuUsage), after a warm-up per depth.
 */
import { createClient } from '@redis/client'
import { startRedisServer } from '../src/cluster/processes.js'
import { arg } from './lib/args.js'
import { loadAverage } from './lib/processes.js'

const depths = arg('depths', '1,3,10').split(',').map(Number)
const COMMANDS = Number(arg('commands', '40000'))
const answer = JSON.stringify({ result: { content: [{ type: 'text', text: 'hello' }] }, jsonrpc: '2.0', id: 2 })

const redis = await startRedisServer()
const client = createClient({ url: redis.url, commandOptions: { timeout: 0 } })
try {
  await client.connect()
  const worker = async (n: number, key: string) => {
    for (let i = 0; i < n; i++) await client.sendCommand(['XADD', key, 'MAXLEN', '100', '*', 'm', answer])
  }
  const run = (depth: number, total: number) => Promise.all(Array.from({ length: depth }, (_, i) => worker(Math.ceil(total / depth), `bench:${i}`)))
  console.log(`## One Redis round trip: node ${process.version}, load average ${loadAverage()}\n`)
  console.log('| commands in flight | commands/s | CPU µs per command | of it, kernel |')
  console.log('|---|---|---|---|')
  for (const depth of depths) {
    await run(depth, 2_000)
    const cpu = process.cpuUsage()
    const started = performance.now()
    await run(depth, COMMANDS)
    const used = process.cpuUsage(cpu)
    const sent = Math.ceil(COMMANDS / depth) * depth
    const seconds = (performance.now() - started) / 1000
    console.log(`| ${depth} | ${Math.round(sent / seconds).toLocaleString('en-US')} | ${((used.user + used.system) / sent).toFixed(1)} | ${(used.system / sent).toFixed(1)} |`)
  }
} finally {
  if (client.isOpen) await client.close().catch(() => {})
  await redis.stop()
}
