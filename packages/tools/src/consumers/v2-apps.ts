/**
 * Consumer apps on the v2 SDK, as users write them: each is a package.json
 * (its dependencies, `"postinstall": "mcp-sessions-patch apply"`), an optional
 * demo script run through the app's own imports, and what the run must show.
 * The consumers runner installs them with the named package manager and
 * checks each step; nothing here runs anything.
 */

export interface V2ConsumerApp {
  /** Folder name and label in the table, e.g. `client-2.4.0`. */
  name: string
  pm: 'npm' | 'pnpm'
  dependencies: Record<string, string>
  /** `mcp-sessions-patch verify` arguments, e.g. `['--from', 'fastmcp']`. */
  verify: string[]
  /** The copies `verify` must report fixed, as `<package> <version>`. */
  verified: string[]
  /** demo.mjs; its output must match every pattern in `shows`. */
  demo?: string
  shows: RegExp[]
}

/** A loopback server that issues session ids and can forget them (`forget()`), answering 404 for ids it does not know. */
const forgetfulServer = `
function forgetfulServer() {
  const sessions = new Set()
  let issued = 0
  const server = createServer(async (req, res) => {
    let body = ''
    for await (const chunk of req) body += chunk
    const sid = req.headers['mcp-session-id']
    const msg = body ? JSON.parse(body) : undefined
    const json = (status, value, headers = {}) => res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(value))
    if (sid && !sessions.has(sid)) return json(404, { jsonrpc: '2.0', error: { code: -32001, message: 'Session not found' }, id: null })
    if (req.method !== 'POST') return void res.writeHead(405).end()
    if (msg.method === 'initialize') {
      const id = \`session-\${++issued}\`
      sessions.add(id)
      const result = { protocolVersion: msg.params.protocolVersion, capabilities: { tools: {} }, serverInfo: { name: 'demo', version: '1.0.0' } }
      return json(200, { jsonrpc: '2.0', id: msg.id, result }, { 'mcp-session-id': id })
    }
    if (msg.id === undefined) return void res.writeHead(202).end()
    if (msg.method === 'tools/call') return json(200, { jsonrpc: '2.0', id: msg.id, result: { content: [{ type: 'text', text: 'echo' }] } })
    json(200, { jsonrpc: '2.0', id: msg.id, result: { tools: [] } })
  })
  return { server, forget: () => sessions.clear() }
}
`

/** What an app on `@modelcontextprotocol/client` sees: the id cleared on POST and GET 404, and recoverSession. */
const clientDemo = `// The fixed behaviour of @modelcontextprotocol/client, through the app's own import, on loopback only.
import { createServer } from 'node:http'
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client'
${forgetfulServer}
const { server, forget } = forgetfulServer()
await new Promise((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve))
const url = new URL(\`http://127.0.0.1:\${server.address().port}/mcp\`)
let failed = false
const report = (what, ok, detail) => {
  console.log(\`\${what}: \${ok ? 'yes' : 'NO'} (\${detail})\`)
  failed ||= !ok
}
try {
  const post = new StreamableHTTPClientTransport(url, { sessionId: 'stale-session' })
  post.onerror = () => {}
  await post.start()
  const postError = await post.send({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} }).then(() => undefined, e => e)
  report('POST 404 clears the session id', post.sessionId === undefined && postError?.status === 404, postError?.message ?? 'no error')
  await post.close()

  const get = new StreamableHTTPClientTransport(url, { sessionId: 'stale-session', reconnectionOptions: { initialReconnectionDelay: 10, maxReconnectionDelay: 10, reconnectionDelayGrowFactor: 1, maxRetries: 0 } })
  get.onerror = () => {}
  await get.start()
  const getError = await get.resumeStream('0').then(() => undefined, e => e)
  report('GET 404 clears the session id', get.sessionId === undefined && getError?.status === 404, getError?.message ?? 'no error')
  await get.close()

  const recovered = []
  const transport = new StreamableHTTPClientTransport(url, { recoverSession: true, onsessionrecovered: (before, after) => recovered.push(\`\${before} -> \${after}\`) })
  const client = new Client({ name: 'consumer', version: '1.0.0' })
  await client.connect(transport)
  forget()
  const answer = await client.callTool({ name: 'echo', arguments: {} }).then(r => r.content?.[0]?.text, e => \`failed: \${e.message}\`)
  report('recoverSession starts a new session', answer === 'echo' && recovered.length === 1, recovered.join(', ') || answer)
  await client.close()
} finally {
  server.closeAllConnections()
  server.close()
}
process.exitCode = failed ? 1 : 0
`

/** What an app serving through `@modelcontextprotocol/node` sees: the server package's hydrate fix, reached through the Node adapter. */
const nodeDemo = `// The patched @modelcontextprotocol/server, through @modelcontextprotocol/node's transport, on loopback only.
import { createServer } from 'node:http'
import { NodeStreamableHTTPServerTransport } from '@modelcontextprotocol/node'
import { McpServer } from '@modelcontextprotocol/server'

const state = { sessionId: 'session-from-store', protocolVersion: '2025-06-18', clientInfo: { name: 'demo', version: '1.0.0' }, clientCapabilities: { elicitation: { form: {} } } }
const transport = new NodeStreamableHTTPServerTransport({ sessionIdGenerator: () => 'unused', enableJsonResponse: true, session: state })
const mcp = new McpServer({ name: 'demo', version: '1.0.0' })
await mcp.connect(transport)
const server = createServer((req, res) => void transport.handleRequest(req, res))
await new Promise((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve))
let failed = false
try {
  const ping = await fetch(\`http://127.0.0.1:\${server.address().port}/mcp\`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-session-id': state.sessionId, 'mcp-protocol-version': state.protocolVersion },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' })
  })
  const text = await ping.text()
  const restored = JSON.stringify(mcp.server.getClientCapabilities()) === JSON.stringify(state.clientCapabilities)
  console.log(\`hydrate through @modelcontextprotocol/node: \${ping.status} for the continued session; client capabilities restored: \${restored ? 'yes' : 'NO'}\`)
  failed = ping.status !== 200 || !/"result"/.test(text) || !restored
} finally {
  await transport.close()
  server.closeAllConnections()
  server.close()
}
process.exitCode = failed ? 1 : 0
`

/**
 * The v2 apps: a client app (npm), a server on the Node adapter (pnpm), and
 * fastmcp 4.20, whose HTTP transport is mcp-proxy on the v2 packages beside
 * its own v1 SDK (npm; `verify --from fastmcp` checks the copies it loads).
 */
export const V2_CONSUMERS: V2ConsumerApp[] = [
  {
    name: 'client-2.4.0',
    pm: 'npm',
    dependencies: { '@modelcontextprotocol/client': '2.4.0' },
    verify: [],
    verified: ['@modelcontextprotocol/client 2.4.0'],
    demo: clientDemo,
    shows: [/POST 404 clears the session id: yes/, /GET 404 clears the session id: yes/, /recoverSession starts a new session: yes \(session-1 -> session-2\)/]
  },
  {
    name: 'node-2.1.2',
    pm: 'pnpm',
    dependencies: { '@modelcontextprotocol/node': '2.1.2', '@modelcontextprotocol/server': '2.4.0' },
    verify: [],
    verified: ['@modelcontextprotocol/server 2.4.0'],
    demo: nodeDemo,
    shows: [/hydrate through @modelcontextprotocol\/node: 200 for the continued session; client capabilities restored: yes/]
  },
  {
    name: 'fastmcp-4.20.16',
    pm: 'npm',
    dependencies: { fastmcp: '4.20.16' },
    verify: ['--from', 'fastmcp'],
    verified: ['@modelcontextprotocol/client 2.4.0', '@modelcontextprotocol/server 2.4.0'],
    shows: []
  }
]
