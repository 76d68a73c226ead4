/**
 * The balancer in front of the interop cluster: the fault suite's real
 * haproxy (packages/tools/src/cluster/haproxy.ts: per-request round-robin, no
 * stickiness, `http-reuse always`, `timeout server` 3 s cutting idle
 * streams, `option http-no-delay`, health checks). The per-request
 * round-robin front of packages/tools/src/cluster/front.ts (no stickiness)
 * can stand in for it by changing the one `start` line below.
 */
import { startHaproxy } from '@mcp-sessions/tools/cluster/haproxy.js'

export interface Balancer {
  kind: string
  url: string
}

/**
 * Starts a balancer over the node ports; `register` stops it.
 *
 * @example
 * const balancer = await startBalancer([portA, portB, portC], afterAll)
 */
export async function startBalancer(ports: number[], register: (cleanup: () => Promise<void>) => void): Promise<Balancer> {
  const proxy = await startHaproxy(ports.map((port, i) => ({ name: `node-${i}`, port })), { keepLog: false })
  register(() => proxy.stop())
  for (let i = 0; i < ports.length; i++) await proxy.waitForServer(`node-${i}`, 'UP', 10_000)
  return { kind: 'haproxy', url: proxy.url }
}
