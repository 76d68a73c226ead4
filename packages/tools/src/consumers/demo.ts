import { SDK_PACKAGE } from '../versions.js'
import { exec, pmEnv } from './exec.js'

/** Where each package keeps its Streamable HTTP client transport. */
const clientModule: Record<string, string> = {
  [SDK_PACKAGE]: `${SDK_PACKAGE}/client/streamableHttp.js`,
  '@modelcontextprotocol/client': '@modelcontextprotocol/client'
}

/** Packages the demo can exercise: those with a client transport. */
export const demoPackages = Object.keys(clientModule)

export interface DemoResult {
  flavor: 'esm' | 'cjs'
  /** The file Node loaded the transport from, resolving from the folder the demo ran in. */
  resolved: string
  /** Whether a POST answered 404 cleared the transport's session id (spec: Session Management rule 4). */
  cleared: boolean
  output: string
}

/**
 * The fix users care most about, shown the way their code would see it: a
 * client transport with a session id the server forgot posts once, gets 404,
 * and must drop the id. The script is handed to `node -e` with the folder of
 * the package under test as the working folder, so Node resolves the SDK as
 * that package does, through `import` or `require`.
 */
function script(spec: string, flavor: 'esm' | 'cjs'): string {
  const load = flavor === 'esm' ? `await import('${spec}')` : `require('${spec}')`
  const resolved = flavor === 'esm' ? `new URL(import.meta.resolve('${spec}')).pathname` : `require.resolve('${spec}')`
  const body = `
const { createServer } = require('node:http')
const { StreamableHTTPClientTransport } = ${load}
const server = createServer((req, res) => {
  req.resume()
  res.writeHead(req.headers['mcp-session-id'] ? 404 : 400, { 'content-type': 'application/json' })
  res.end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32001, message: 'Session not found' }, id: null }))
})
await new Promise((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve))
try {
  const transport = new StreamableHTTPClientTransport(new URL('http://127.0.0.1:' + server.address().port + '/mcp'), { sessionId: 'stale-session' })
  transport.onerror = () => {}
  await transport.start()
  await transport.send({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} }).catch(() => {})
  console.log(JSON.stringify({ resolved: ${resolved}, cleared: transport.sessionId === undefined }))
  await transport.close()
} finally {
  server.closeAllConnections()
  server.close()
}`
  return flavor === 'esm' ? `import { createRequire } from 'node:module'\nconst require = createRequire(import.meta.url)\n${body}` : `;(async () => {${body}\n})().catch(e => { console.error(e); process.exitCode = 1 })`
}

/**
 * Runs the 404 demo for `pkg` from `folder`, in one module flavor.
 *
 * @example
 * await runDemo('/app/node_modules/fastmcp', '@modelcontextprotocol/sdk', 'cjs') // { resolved: '…/fastmcp/node_modules/@modelcontextprotocol/sdk/dist/cjs/…', cleared: true }
 */
export async function runDemo(folder: string, pkg: string, flavor: 'esm' | 'cjs'): Promise<DemoResult> {
  const spec = clientModule[pkg]
  if (!spec) throw new Error(`[mcp-sessions] No 404 demo for ${pkg}.`)
  const args = flavor === 'esm' ? ['--input-type=module', '-e', script(spec, flavor)] : ['-e', script(spec, flavor)]
  const r = await exec(process.execPath, args, folder, pmEnv(), 30_000)
  const line = r.output.split('\n').find(l => l.startsWith('{"resolved"'))
  const parsed = line ? (JSON.parse(line) as { resolved: string; cleared: boolean }) : { resolved: '', cleared: false }
  return { flavor, ...parsed, output: r.output.trim().slice(-2000) }
}
