import { mcpHttp } from './lib/mcp-http.js'
import { startBenchServer, syscalls, cpuMs, type Variant } from './lib/processes.js'
for (const v of (process.argv[2] ?? 'map,manager').split(',') as Variant[]) {
  const server = await startBenchServer(v, {})
  const client = mcpHttp(server.port)
  const ids = await client.openSessions(Number(process.env.N ?? 10))
  let n = 0
  const run = async (count: number) => { const last = n + count; await Promise.all(Array.from({ length: 10 }, async () => { while (n < last) await client.callTool(ids[n++ % ids.length]!, 'echo', { text: 'hi' }) })) }
  await run(2000)
  const a = syscalls(server.pid), c = cpuMs(server.pid), t = performance.now()
  await run(6000)
  const b = syscalls(server.pid), d = cpuMs(server.pid), t2 = performance.now()
  console.log(v, 'writes/req', ((b.writes - a.writes) / 6000).toFixed(2), 'reads/req', ((b.reads - a.reads) / 6000).toFixed(2), 'cpu us/req', ((d - c) * 1000 / 6000).toFixed(0), 'req/s', (6000 / (t2 - t) * 1000).toFixed(0))
  client.close(); server.stop?.()
}
process.exit(0)
