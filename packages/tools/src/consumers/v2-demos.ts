import { join } from 'node:path'
import { writeFileSync } from 'node:fs'
import { exec, pmEnv } from './exec.js'
import type { ScenarioContext } from './scenario.js'
import { patchedCopiesInStore } from './store.js'

/**
 * What the v2 consumer apps run after their install, through the app's own
 * imports: demo scripts that show the fixed behaviour of the v2 packages on
 * loopback, each with the lines its output must hold.
 */

export interface V2Demo {
  /** The step's name in the table. */
  name: string
  script: string
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

/** An app on `@modelcontextprotocol/client`: the id cleared on POST and GET 404, and `recoverSession`. */
export const CLIENT_DEMO: V2Demo = {
  name: 'demo: POST 404 and GET 404 clear the session id, recoverSession starts a new one',
  script: clientDemo,
  shows: [/POST 404 clears the session id: yes/, /GET 404 clears the session id: yes/, /recoverSession starts a new session: yes \(session-1 -> session-2\)/]
}

/** A server on `@modelcontextprotocol/node`: the server package's hydrate fix, through the Node adapter. */
export const NODE_DEMO: V2Demo = {
  name: 'demo: a session continued through @modelcontextprotocol/node',
  script: nodeDemo,
  shows: [/hydrate through @modelcontextprotocol\/node: 200 for the continued session; client capabilities restored: yes/]
}

/**
 * A scenario's own steps: the demo (its output must show every pattern) and,
 * for a package manager with a shared store, that the store holds no patched file.
 *
 * @example
 * const scenario: Scenario = { id: 'client-2.4.0-npm', ..., extra: runV2Demo(CLIENT_DEMO) }
 */
export function runV2Demo(demo: V2Demo): (ctx: ScenarioContext) => Promise<void> {
  return async ({ dir, pm, found, step }) => {
    writeFileSync(join(dir, 'demo.mjs'), demo.script)
    const shown = await exec(process.execPath, ['demo.mjs'], dir, pmEnv(), 60_000)
    const ok = shown.code === 0 && demo.shows.every(re => re.test(shown.output))
    step(demo.name, ok, shown.ms, ok ? shown.output.trim().split('\n').join('; ') : shown.output.slice(-2000))
    if (pm.store) {
      const started = Date.now()
      const hits = patchedCopiesInStore(found.map(c => ({ dir: join(dir, c.path), version: c.version, package: c.package })), pm.store)
      step('store left as published', hits.length === 0, Date.now() - started, hits.length ? `patched files in the store: ${hits.slice(0, 5).join(', ')}` : undefined)
    }
  }
}
