import { onTestFinished } from 'vitest'
import type { HaproxyBackend } from '@mcp-sessions/tools/cluster/haproxy.js'
import { startNginx as start, type NginxOptions } from '@mcp-sessions/tools/cluster/nginx.js'

export { nginxConfig, type NginxOptions } from '@mcp-sessions/tools/cluster/nginx.js'

/**
 * A real nginx in front of `backends`, configured as the deployment docs say
 * (see packages/tools/src/cluster/nginx.ts), stopped by its own PID when the
 * test ends; pass `register` to tie it to a suite instead.
 *
 * @example
 * const proxy = await startNginx([{ name: 'node-0', port }])
 */
export async function startNginx(backends: HaproxyBackend[], options: NginxOptions = {}, register: (cleanup: () => Promise<void>) => void = onTestFinished) {
  const proxy = await start(backends, options)
  register(proxy.stop)
  return proxy
}
