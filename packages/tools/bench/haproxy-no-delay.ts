/**
 * How long haproxy holds an SSE event, with and without `option http-no-delay`:
 *
 *   npx tsx packages/tools/bench/haproxy-no-delay.ts [--events 200] [--rounds 3]
 *
 * One demo node (in-memory store), two haproxy instances in front of it (one
 * with the option, one without) and the direct path. For each path, a
 * session's GET stream is opened through it; `tick` calls go straight to the
 * node, one at a time, and each event's latency is the time from the call's
 * start to the event's arrival on the stream. Paths alternate per round;
 * medians and p90 per path.
 */
import { startHaproxy } from '../src/cluster/haproxy.js'
import { startNode } from '../src/cluster/processes.js'
import { callTool, openSession, openStream } from '../src/faults/sse-session.js'

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`)
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback
}
const EVENTS = Number(arg('events', '200'))
const ROUNDS = Number(arg('rounds', '3'))

const quantile = (values: number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!
}

const node = await startNode({ STORE: 'memory', NODE_NAME: 'bench' })
const direct = `http://127.0.0.1:${node.port}/mcp`
const stops: Array<() => Promise<void>> = [() => node.kill('SIGKILL')]
try {
  const backends = [{ name: 'bench', port: node.port }]
  const held = await startHaproxy(backends, { noDelay: false, timeoutServerMs: 60_000, keepLog: false })
  stops.push(held.stop)
  const noDelay = await startHaproxy(backends, { noDelay: true, timeoutServerMs: 60_000, keepLog: false })
  stops.push(noDelay.stop)
  const paths = { direct, 'haproxy without http-no-delay': held.url, 'haproxy with http-no-delay': noDelay.url }
  const latencies: Record<string, number[]> = Object.fromEntries(Object.keys(paths).map(p => [p, []]))
  for (let round = 0; round < ROUNDS; round++) {
    for (const [path, url] of Object.entries(paths)) {
      const session = await openSession(direct)
      const stream = await openStream(session, url)
      for (let s = 1; s <= EVENTS / ROUNDS; s++) {
        const from = stream.events.length
        const started = performance.now()
        await callTool(session, 'tick', { c: 'bench', s })
        const event = await stream.next(e => e.data.includes(`"s":${s}`), 5_000, from)
        if (!event) throw new Error(`[mcp-sessions] The bench lost event ${s} on ${path}`)
        latencies[path]!.push(event.at - started)
      }
      stream.close()
    }
  }
  console.log(`\n${EVENTS} events per path, ${ROUNDS} alternating rounds, one tick at a time (call to the node, event through the path)\n`)
  console.log('| path | median ms | p90 ms |\n|---|---|---|')
  for (const [path, values] of Object.entries(latencies)) console.log(`| ${path} | ${quantile(values, 0.5).toFixed(1)} | ${quantile(values, 0.9).toFixed(1)} |`)
} finally {
  for (const stop of stops.reverse()) await stop().catch(() => {})
}
