/**
 * The README's deployment section: its haproxy and nginx configurations are
 * the text the helpers generate (so what the docs show is what the suites
 * run), the documented configurations carry a session through to demo nodes
 * on Redis, and haproxy's idle cut behaves as the section says.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { haproxyProxySections, type HaproxyOptions } from '@mcp-sessions/tools/cluster/haproxy.js'
import { nginxProxyBlock, type NginxOptions } from '@mcp-sessions/tools/cluster/nginx.js'
import { callTool, openSession, openStream } from '@mcp-sessions/tools/faults/sse-session.js'
import { startHaproxy } from '../helpers/haproxy.js'
import { startNginx } from '../helpers/nginx.js'
import { startRedis } from '../helpers/redis.js'
import { clusterNodes } from './backends.js'

/** The values the README's configurations are written with. */
const DOCUMENTED = {
  port: 8080,
  backends: [3001, 3002, 3003].map((port, i) => ({ name: `node-${i}`, port })),
  haproxy: { timeoutServerMs: 30_000, checkIntervalMs: 1_000 } satisfies HaproxyOptions,
  nginx: { readTimeoutMs: 60_000 } satisfies NginxOptions
}

const section = () => {
  const readme = readFileSync(join(import.meta.dirname, '..', '..', 'README.md'), 'utf8')
  const start = readme.indexOf('\n## Deploying behind a load balancer')
  expect(start, 'the README has a section "Deploying behind a load balancer"').toBeGreaterThan(0)
  return readme.slice(start, readme.indexOf('\n## ', start + 1))
}
const block = (text: string, lang: string) => new RegExp(`\`\`\`${lang}\\n([\\s\\S]*?)\`\`\``).exec(text)?.[1]

const isTick = (e: { data: string }) => e.data.includes('"t":"tick"')

async function nodesOnRedis(count: number, env: Record<string, string> = {}) {
  const redis = await startRedis()
  return (await clusterNodes(count, { REDIS_URL: redis.url, ...env })).map(({ name, port }) => ({ name, port }))
}

/** A session through `url`: its GET stream primed, a notification sent through the proxy arriving on it. */
async function carriesASession(url: string): Promise<void> {
  const session = await openSession(url)
  const stream = await openStream(session, url)
  expect(stream.status).toBe(200)
  expect((await stream.next(() => true, 5_000))?.id, 'the GET stream is primed').toBeTruthy()
  expect((await callTool(session, 'tick', { c: 'docs', s: 1 })).status).toBe(200)
  const tick = await stream.next(isTick, 5_000)
  stream.close()
  expect(tick, 'the notification arrives on the GET stream').toBeDefined()
}

describe('the README\'s deployment section', { timeout: 60_000 }, () => {
  it('shows the haproxy and nginx configurations the helpers generate', () => {
    const text = section()
    expect(block(text, 'haproxy')).toBe(`${haproxyProxySections(DOCUMENTED.port, DOCUMENTED.backends, DOCUMENTED.haproxy).join('\n')}\n`)
    expect(block(text, 'nginx')).toBe(`${nginxProxyBlock(DOCUMENTED.port, DOCUMENTED.backends, DOCUMENTED.nginx).join('\n')}\n`)
  })

  it('carries a session through the documented haproxy configuration', async () => {
    const proxy = await startHaproxy(await nodesOnRedis(2), DOCUMENTED.haproxy)
    for (const name of ['node-0', 'node-1']) await proxy.waitForServer(name, 'UP', 10_000)
    await carriesASession(proxy.url)
  })

  it('carries a session through the documented nginx configuration (the client\'s Host passes the manager\'s check)', async () => {
    const proxy = await startNginx(await nodesOnRedis(2), DOCUMENTED.nginx)
    await carriesASession(proxy.url)
  })

  it('keeps a stream open past timeout server while its keep-alive comes more often', async () => {
    const proxy = await startHaproxy(await nodesOnRedis(1, { STREAM_KEEP_ALIVE_MS: '300' }), { timeoutServerMs: 1_000 })
    await proxy.waitForServer('node-0', 'UP', 10_000)
    const session = await openSession(proxy.url)
    const stream = await openStream(session, proxy.url)
    expect(await stream.untilEnded(3_500), 'still open after 3.5 x timeout server').toBe(false)
    stream.close()
  })

  it('cuts an idle stream by timeout server alone: not sooner for a short timeout client, not later for timeout tunnel', async () => {
    const proxy = await startHaproxy(await nodesOnRedis(1), { timeoutServerMs: 2_000, timeoutClientMs: 500, extraDefaults: ['timeout tunnel 1h'] })
    await proxy.waitForServer('node-0', 'UP', 10_000)
    const session = await openSession(proxy.url)
    const stream = await openStream(session, proxy.url)
    const opened = Date.now()
    expect(await stream.untilEnded(10_000), 'the idle stream was cut').toBe(true)
    const after = Date.now() - opened
    expect(after, 'cut at timeout server (2 s), not at timeout client (0.5 s)').toBeGreaterThanOrEqual(1_800)
    expect(after, 'and not held open by timeout tunnel (1 h)').toBeLessThan(6_000)
  })
})
