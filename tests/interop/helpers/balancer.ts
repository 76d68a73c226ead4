/**
 * The balancer in front of the interop cluster. Today: the per-request
 * round-robin front of packages/tools/src/cluster/front.ts (no stickiness).
 * The fault suite's real haproxy (tests/helpers/haproxy.ts, issue 13) replaces
 * it by changing the one `start` line below.
 */
import { startFront } from '@mcp-sessions/tools/cluster/front.js'

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
  const front = await startFront(ports)
  register(() => front.close())
  return { kind: 'round-robin front', url: front.url }
}
