import { onTestFinished } from 'vitest'
import { startServerProcess } from '../../helpers/process.js'
import { startRecordingProxy } from './recording-proxy.js'

/**
 * tests/fixtures/interop-server.ts behind a recording proxy, both stopped
 * when the test ends; `hook` drives the fixture's test-only endpoints.
 *
 * @example
 * const { proxy, hook } = await startInteropServer()
 */
export async function startInteropServer() {
  const server = await startServerProcess('tests/fixtures/interop-server.ts', { PORT: '0' })
  const base = `http://127.0.0.1:${server.port}`
  const proxy = await startRecordingProxy(`${base}/mcp`)
  onTestFinished(() => proxy.close())
  const hook = async (path: '/test/notify' | '/test/close', session: string) => (await fetch(`${base}${path}?session=${encodeURIComponent(session)}`, { method: 'POST' })).status
  return { base, proxy, hook }
}
