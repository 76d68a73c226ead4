import { onTestFinished } from 'vitest'
import { startHaproxy as start, type HaproxyBackend, type HaproxyOptions } from '@mcp-sessions/tools/cluster/haproxy.js'

export type { Haproxy, HaproxyBackend, HaproxyLogEntry, HaproxyOptions } from '@mcp-sessions/tools/cluster/haproxy.js'
export { haproxyConfig } from '@mcp-sessions/tools/cluster/haproxy.js'

/**
 * A real haproxy in front of `backends` (see packages/tools/src/cluster/haproxy.ts
 * for the config and how a failed node leaves the pool), stopped by its own
 * PID when the test ends; pass `register` to tie it to a suite instead.
 *
 * @example
 * const proxy = await startHaproxy([{ name: 'node-0', port }], { timeoutServerMs: 3_000 })
 * await fetch(proxy.url)
 */
export async function startHaproxy(backends: HaproxyBackend[], options: HaproxyOptions = {}, register: (cleanup: () => Promise<void>) => void = onTestFinished) {
  const proxy = await start(backends, options)
  register(proxy.stop)
  return proxy
}
