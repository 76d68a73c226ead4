/**
 * The servers under test, each serving the conformance fixture
 * (tests/fixtures/conformance/) and started once per test file: the README
 * quick start as written, the README's express variant, and the three-node
 * cluster on a private redis-server behind a balancer.
 */
import { randomUUID } from 'node:crypto'
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { startServerProcess } from '../../helpers/process.js'
import { startRedis } from '../../helpers/redis.js'
import { startBalancer } from './balancer.js'

const root = join(import.meta.dirname, '..', '..', '..')
const fixture = join(root, 'tests', 'fixtures', 'conformance', 'index.ts')

export interface ServerUnderTest {
  name: string
  url: string
}

type Register = (cleanup: () => Promise<void>) => void

function exactlyOnce(source: string, pattern: RegExp, what: string): RegExpExecArray {
  const matches = [...source.matchAll(new RegExp(pattern.source, pattern.flags.includes('g') ? pattern.flags : pattern.flags + 'g'))]
  if (matches.length !== 1) throw new Error(`[mcp-sessions] The README quick start changed shape: expected ${what} exactly once, found ${matches.length}. Update tests/interop/helpers/servers.ts to the new shape.`)
  return matches[0] as RegExpExecArray
}

/**
 * The first ```ts block of packages/server/README.md with the body of
 * `createServer` replaced by the conformance fixture; everything else (the
 * node:http wiring, the manager options, the listen call) stays as written.
 * The package import points at the source, so the test needs no fresh build.
 *
 * @example
 * writeFileSync('server.ts', quickStartSource())
 */
export function quickStartSource(): string {
  const readme = readFileSync(join(root, 'packages', 'server', 'README.md'), 'utf8')
  const code = exactlyOnce(readme, /## Quick start\n\n```ts\n([\s\S]*?)```/, 'a ```ts block under "## Quick start"')[1]!
  const head = exactlyOnce(code, /createServer: \([^)]*\) => \{/, 'the `createServer: (...) => {` option')
  // The body ends at the brace that closes the one opened by `=> {`.
  const open = head.index + head[0].length
  let depth = 1
  let close = open
  for (; close < code.length && depth > 0; close++) depth += code[close] === '{' ? 1 : code[close] === '}' ? -1 : 0
  if (depth !== 0) throw new Error('[mcp-sessions] The README quick start changed shape: the createServer body never closes.')
  exactlyOnce(code, /from '@mcp-sessions\/server'/, "the import from '@mcp-sessions/server'")
  const replaced = `${code.slice(0, open)}\n    return createConformanceServer()\n  ${code.slice(close - 1)}`
  const source = replaced.replace("from '@mcp-sessions/server'", `from '${pathToFileURL(join(root, 'packages', 'server', 'src', 'index.ts')).href}'`)
  return `import { createConformanceServer } from '${pathToFileURL(fixture).href}'\n${source}`
}

/** Runs {@link quickStartSource} in its own process (PORT=0). */
export async function startQuickStart(register: Register): Promise<ServerUnderTest> {
  const file = join('.cache', 'interop', 'quick-start', `server-${randomUUID()}.ts`)
  mkdirSync(join(root, file, '..'), { recursive: true })
  writeFileSync(join(root, file), quickStartSource())
  register(async () => rmSync(join(root, file), { force: true }))
  const server = await startServerProcess(file, { PORT: '0' }, 30_000, { cleanup: register })
  return { name: 'quick start (node:http)', url: `http://127.0.0.1:${server.port}/mcp` }
}

/** tests/fixtures/express-server.ts: the README's express routes on the SDK's `createMcpExpressApp()`. */
export async function startExpress(register: Register): Promise<ServerUnderTest> {
  const server = await startServerProcess('tests/fixtures/express-server.ts', { PORT: '0' }, 30_000, { cleanup: register })
  return { name: 'express', url: `http://127.0.0.1:${server.port}/mcp` }
}

/** Three packages/tools/src/cluster/node.ts processes on one private redis-server, serving the fixture, behind the balancer. */
export async function startCluster(register: Register): Promise<ServerUnderTest> {
  const redis = await startRedis(register)
  const nodes = await Promise.all([0, 1, 2].map(i =>
    startServerProcess('tests/fixtures/cluster-node.ts', { REDIS_URL: redis.url, NODE_NAME: `node-${i}`, SERVER_MODULE: pathToFileURL(fixture).href }, 30_000, { cleanup: register })
  ))
  const balancer = await startBalancer(nodes.map(n => n.port), register)
  return { name: `cluster (3 nodes, Redis, ${balancer.kind})`, url: balancer.url }
}
