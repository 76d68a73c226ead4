/**
 * A server transport continues an existing session from its JSON state alone
 * (`session` option), on another node, process or after a restart; the state
 * is captured when the session starts (`sessionState`, `onsessionstate`), and
 * an MCP server connected to a continued transport knows the client again.
 *
 * Server A and server B are separate node:http servers; the SDK Client from
 * the same cell talks to whichever one `front.target` names, through a custom
 * `fetch`, as a load balancer would route it. Runs on the v1 SDK and on
 * `@modelcontextprotocol/server` 2.x (its cells hold the client package of the
 * same release, as published).
 * @see https://github.com/modelcontextprotocol/typescript-sdk/issues/1658
 * @see https://github.com/modelcontextprotocol/typescript-sdk/issues/1882
 */
import { randomUUID } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, onTestFinished } from 'vitest'
import { satisfies } from '@mcp-sessions/tools/semver.js'
import { currentCell, flavors, type ModuleFlavor } from '../helpers/cell.js'
import { listen } from '../helpers/listen.js'
import { proof } from '../helpers/proof.js'
import { RawConnection } from '../helpers/raw-connection.js'
import { clientSdk, generation, serverSdk, transportKinds } from '../helpers/sdk-api.js'
import { bridgeToWeb } from '../helpers/sessions-app.js'
import { nextEvent } from '../helpers/wait.js'

const it = proof('1658-hydrate')
const kinds = transportKinds()
const combos = flavors.flatMap(flavor => kinds.map(kind => [flavor, kind] as [ModuleFlavor, 'node' | 'web']))

const CLIENT_INFO = { name: 'hydrate-client', version: '2.1.0' }
const CLIENT_CAPS = { elicitation: { form: {} } }
const askSchema = { type: 'object', properties: { answer: { type: 'string' } }, required: ['answer'] }

describe.each(combos)('continuing a session (%s, %s transport)', (flavor, kind) => {
  async function sdk() {
    const [server, client] = await Promise.all([serverSdk(flavor), clientSdk(flavor)])
    const Transport = kind === 'web' ? server.WebTransport : server.NodeTransport
    return { McpServer: server.McpServer, Client: client.Client, StreamableHTTPClientTransport: client.StreamableHTTPClientTransport, Transport, client }
  }
  type Sdk = Awaited<ReturnType<typeof sdk>>

  const serve = (transport: any) => (req: IncomingMessage, res: ServerResponse) =>
    void Promise.resolve()
      .then(() => (kind === 'web' ? bridgeToWeb(req, res, transport) : transport.handleRequest(req, res)))
      .catch(() => {
        // A transport that throws (e.g. a stateless one reused) answers 500.
        if (!res.headersSent) res.writeHead(500).end()
        else res.destroy()
      })

  /** An MCP server with the tools both nodes offer. */
  function mcpServer(s: Sdk, name: string) {
    const server = new s.McpServer({ name, version: '1.0.0' }, { capabilities: { logging: {} } })
    server.registerTool('where', { description: 'names the node' }, async () => ({ content: [{ type: 'text', text: name }] }))
    server.registerTool('ask', { description: 'asks the client' }, async (extra: any) => {
      // v1 passes the request id as extra.requestId, v2 as ctx.mcpReq.id.
      const answer = await server.server.elicitInput({ message: 'Proceed?', requestedSchema: askSchema }, { relatedRequestId: extra.requestId ?? extra.mcpReq?.id })
      return { content: [{ type: 'text', text: `${answer.action}:${answer.content?.answer}` }] }
    })
    return server
  }

  /** Node A runs initialize; its transport may capture the state (patched SDK). */
  async function nodeA(s: Sdk, options: Record<string, unknown> = {}) {
    const transport = new s.Transport({ sessionIdGenerator: () => randomUUID(), ...options })
    const server = mcpServer(s, 'A')
    await server.connect(transport)
    const { url } = await listen(serve(transport))
    return { transport, server, url }
  }

  /** Node B: a fresh MCP server and transport built from the JSON state alone. */
  async function nodeB(s: Sdk, json: string, options: Record<string, unknown> = { sessionIdGenerator: () => randomUUID() }) {
    const transport = new s.Transport({ ...options, session: JSON.parse(json) })
    const server = mcpServer(s, 'B')
    await server.connect(transport)
    const { url, port } = await listen(serve(transport))
    return { transport, server, url, port }
  }

  /** The SDK client behind a switchable front; reports every response it gets. */
  async function client(s: Sdk, target: string) {
    const front = { target, seen: [] as Array<{ target: string; method: string; status: number }>, listeners: [] as Array<(r: { target: string; method: string; status: number }) => void> }
    const transport = new s.StreamableHTTPClientTransport(new URL('http://front.invalid/mcp'), {
      fetch: async (_url: unknown, init?: RequestInit) => {
        const to = front.target
        const res = await fetch(to, init)
        const seen = { target: to, method: init?.method ?? 'GET', status: res.status }
        front.seen.push(seen)
        for (const l of front.listeners) l(seen)
        return res
      },
      reconnectionOptions: { initialReconnectionDelay: 10, maxReconnectionDelay: 50, reconnectionDelayGrowFactor: 1, maxRetries: 10 }
    })
    const c = new s.Client(CLIENT_INFO, { capabilities: CLIENT_CAPS })
    s.client.onElicit(c, async () => ({ action: 'accept', content: { answer: 'yes' } }))
    onTestFinished(() => c.close())
    await c.connect(transport)
    return { client: c, transport, front }
  }

  /** What a session store would hold, written from what the test knows (not read from the SDK). */
  const stateJson = (s: Sdk, sessionId: string, protocolVersion?: string) =>
    JSON.stringify({ sessionId, protocolVersion: protocolVersion ?? s.client.LATEST_PROTOCOL_VERSION, clientInfo: CLIENT_INFO, clientCapabilities: CLIENT_CAPS })

  async function moveToB(options?: Record<string, unknown>) {
    const s = await sdk()
    const a = await nodeA(s)
    const c = await client(s, a.url)
    const sessionId = c.transport.sessionId as string
    expect(sessionId).toBeTruthy()
    const b = await nodeB(s, stateJson(s, sessionId, c.transport.protocolVersion), options)
    c.front.target = b.url
    return { s, a, b, c, sessionId }
  }

  it('answers tools/call on a new server built from the JSON state alone', async () => {
    const { c } = await moveToB()
    await expect(c.client.callTool({ name: 'where', arguments: {} })).resolves.toMatchObject({ content: [{ type: 'text', text: 'B' }] })
  })

  it('works without a sessionIdGenerator, still validating the session id', async () => {
    const { c, b, sessionId } = await moveToB({})
    await expect(c.client.callTool({ name: 'where', arguments: {} })).resolves.toMatchObject({ content: [{ text: 'B' }] })
    const conn = await RawConnection.open(b.port)
    const wrong = await conn.request({ method: 'POST', headers: { 'mcp-session-id': `${sessionId}-other` }, body: { jsonrpc: '2.0', id: 7, method: 'tools/list', params: {} } })
    expect(wrong.status).toBe(404)
  })

  it('completes an elicitation round trip on the continued session', async () => {
    const { c, b } = await moveToB()
    expect(b.server.server.getClientCapabilities()).toEqual(CLIENT_CAPS)
    expect(b.server.server.getClientVersion()).toEqual(CLIENT_INFO)
    await expect(c.client.callTool({ name: 'ask', arguments: {} })).resolves.toMatchObject({ content: [{ text: 'accept:yes' }] })
  })

  it("delivers a notification on the continued session's GET stream", async () => {
    const s = await sdk()
    const a = await nodeA(s)
    const getOpen = (target: string) =>
      nextEvent<void>(`a GET stream answered 200 by ${target}`, deliver => {
        c.front.listeners.push(r => r.method === 'GET' && r.target === target && r.status === 200 && deliver())
      })
    const c = await client(s, a.url)
    if (!c.front.seen.some(r => r.method === 'GET' && r.target === a.url && r.status === 200)) await getOpen(a.url)
    const b = await nodeB(s, stateJson(s, c.transport.sessionId, c.transport.protocolVersion))
    c.front.target = b.url
    const reopened = getOpen(b.url)
    // Node A goes away for this session: its GET stream ends and the client reconnects, now to B.
    a.transport.closeStandaloneSSEStream()
    await reopened
    const received = nextEvent<unknown>('the notification from B', deliver => {
      s.client.onLogMessage(c.client, (n: any) => deliver(n.params.data))
    })
    await b.server.server.notification({ method: 'notifications/message', params: { level: 'info', data: 'from B' } })
    expect(await received).toBe('from B')
  })

  it('validates the session on the continued transport: 404 on mismatch, 400 when missing, 400 for a second initialize', async () => {
    const s = await sdk()
    const sessionId = randomUUID()
    const b = await nodeB(s, stateJson(s, sessionId))
    const conn = await RawConnection.open(b.port)
    const list = { jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} }
    const ok = await conn.request({ method: 'POST', headers: { 'mcp-session-id': sessionId }, body: list })
    expect(ok.status).toBe(200)
    expect(ok.headers['mcp-session-id']).toBe(sessionId)
    expect((await conn.request({ method: 'POST', headers: { 'mcp-session-id': 'someone-else' }, body: list })).status).toBe(404)
    expect((await conn.request({ method: 'POST', body: list })).status).toBe(400)
    const again = await conn.request({
      method: 'POST',
      body: { jsonrpc: '2.0', id: 2, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: CLIENT_INFO } }
    })
    expect(again.status).toBe(400)
    expect(again.messages[0]?.error?.message).toMatch(/already initialized/i)
  })

  it('ends the continued session with DELETE; the next request gets 404', async () => {
    const { c, b, sessionId } = await moveToB()
    await expect(c.client.callTool({ name: 'where', arguments: {} })).resolves.toMatchObject({ content: [{ text: 'B' }] })
    await c.transport.terminateSession()
    expect(c.front.seen.filter(r => r.method === 'DELETE').map(r => `${r.target === b.url ? 'B' : 'A'} ${r.status}`)).toEqual(['B 200'])
    const conn = await RawConnection.open(b.port)
    const after = await conn.request({ method: 'POST', headers: { 'mcp-session-id': sessionId }, body: { jsonrpc: '2.0', id: 9, method: 'tools/list', params: {} } })
    expect(after.status).toBe(404)
  })

  it('exposes the state of a new session once initialize is answered', async () => {
    const s = await sdk()
    const a = await nodeA(s)
    expect(a.transport.sessionState).toBeUndefined()
    const c = await client(s, a.url)
    expect(a.transport.sessionState).toEqual(JSON.parse(stateJson(s, c.transport.sessionId, c.transport.protocolVersion)))
  })

  it('calls onsessionstate once, before the initialize response is written', async () => {
    const s = await sdk()
    const states: unknown[] = []
    let release!: () => void
    const stored = new Promise<void>(resolve => (release = resolve))
    let hookRan!: () => void
    const hookStarted = nextEvent<void>('onsessionstate to be called', deliver => (hookRan = deliver))
    const a = await nodeA(s, {
      onsessionstate: async (state: unknown) => {
        states.push(state)
        hookRan()
        await stored
      }
    })
    let connected = false
    const connecting = client(s, a.url).then(c => {
      connected = true
      return c
    })
    await hookStarted
    // The store has not finished: the client must not have its answer yet.
    expect(connected).toBe(false)
    expect(states).toHaveLength(1)
    release()
    const c = await connecting
    expect(states).toEqual([JSON.parse(stateJson(s, c.transport.sessionId, c.transport.protocolVersion))])
    await c.client.callTool({ name: 'where', arguments: {} })
    expect(states).toHaveLength(1)
  })

  it('reports an onsessionstate failure to onerror and still answers initialize', async () => {
    const s = await sdk()
    const errors: Error[] = []
    const a = await nodeA(s, {
      onsessionstate: async () => {
        throw new Error('store is down')
      }
    })
    const onerror = a.transport.onerror
    a.transport.onerror = (e: Error) => {
      errors.push(e)
      onerror?.(e)
    }
    const c = await client(s, a.url)
    expect(c.transport.sessionId).toBeTruthy()
    expect(errors.map(e => (e as Error & { code?: string }).code)).toContain('MCPS_SESSION_STATE_HOOK_FAILED')
    expect(errors.find(e => /store is down/.test(e.message))?.message).toMatch(/^\[mcp-sessions\] /)
  })

  it('rejects invalid session ids with MCPS_INVALID_SESSION_ID', async () => {
    const s = await sdk()
    const base = JSON.parse(stateJson(s, 'ok'))
    for (const sessionId of ['', 'has space', 'x'.repeat(1025), 'caf\u00e9', 42, null]) {
      let error: (Error & { code?: string }) | undefined
      try {
        new s.Transport({ sessionIdGenerator: () => 'x', session: { ...base, sessionId } })
      } catch (e) {
        error = e as Error
      }
      expect(error?.code, `sessionId ${JSON.stringify(sessionId)}`).toBe('MCPS_INVALID_SESSION_ID')
      expect(error?.message).toMatch(/^\[mcp-sessions\] .*0x21-0x7E/)
    }
    expect(() => new s.Transport({ session: { ...base, sessionId: 'x'.repeat(1024) } })).not.toThrow()
  })

  it('rejects a state with missing fields, naming the field', async () => {
    const s = await sdk()
    const base = JSON.parse(stateJson(s, 'ok'))
    for (const field of ['protocolVersion', 'clientInfo', 'clientCapabilities']) {
      let error: (Error & { code?: string }) | undefined
      try {
        new s.Transport({ session: { ...base, [field]: undefined } })
      } catch (e) {
        error = e as Error
      }
      expect(error?.code, field).toBe('MCPS_INVALID_SESSION_STATE')
      expect(error?.message).toMatch(new RegExp(`^\\[mcp-sessions\\] .*${field}`))
    }
  })
})

/**
 * One TypeScript program checks both flavors' files, so the lib and `@types/node` declarations are parsed and bound
 * once per cell instead of once per flavor; each test reads its own file's diagnostics.
 */
let typeChecked: Promise<Map<ModuleFlavor, string[]>> | undefined

function hydrateSource(flavor: ModuleFlavor): string {
  const v2 = generation() === 2
  const dist = v2 ? join(currentCell().sdkDir, 'dist') : join(currentCell().sdkDir, 'dist', flavor, 'server')
  const web = v2 || satisfies(currentCell().version, '>=1.25.0')
  // v2 has the web-standard transport only, one bundle per flavor (index.d.mts / index.d.cts).
  const v2Entry = JSON.stringify(join(dist, flavor === 'esm' ? 'index.mjs' : 'index.cjs'))
  return [
    v2
      ? `import { WebStandardStreamableHTTPServerTransport as StreamableHTTPServerTransport, type SessionState } from ${v2Entry}`
      : `import { StreamableHTTPServerTransport, type SessionState } from ${JSON.stringify(join(dist, 'streamableHttp.js'))}`,
    web ? `import { WebStandardStreamableHTTPServerTransport, type SessionState as WebSessionState } from ${v2 ? v2Entry : JSON.stringify(join(dist, 'webStandardStreamableHttp.js'))}` : '',
    "const state: SessionState = { sessionId: 'a', protocolVersion: '2025-06-18', clientInfo: { name: 'c', version: '1' }, clientCapabilities: { elicitation: {} } }",
    'const stored: SessionState[] = []',
    'const fresh = new StreamableHTTPServerTransport({ sessionIdGenerator: () => "id", onsessionstate: async (s: SessionState) => { stored.push(s) } })',
    'const continued = new StreamableHTTPServerTransport({ session: state })',
    'const read: SessionState | undefined = continued.sessionState ?? fresh.sessionState',
    web ? 'const w = new WebStandardStreamableHTTPServerTransport({ session: state, onsessionstate: (s: WebSessionState) => void stored.push(s) })' : '',
    web ? 'const wread: WebSessionState | undefined = w.sessionState' : '',
    // The fields are typed (an unresolved type in the .d.ts would silently be any).
    '// @ts-expect-error clientInfo is an Implementation',
    "const wrongInfo: SessionState = { ...state, clientInfo: 5 }",
    '// @ts-expect-error clientCapabilities is a ClientCapabilities object',
    "const wrongCaps: SessionState = { ...state, clientCapabilities: 'all' }",
    'export { read, wrongInfo, wrongCaps }'
  ].join('\n')
}

async function typeCheckFlavors(): Promise<Map<ModuleFlavor, string[]>> {
  const ts = (await import('typescript')).default
  const dir = await mkdtemp(join(tmpdir(), 'mcps-dts-'))
  try {
    const files = new Map(flavors.map(flavor => [flavor, join(dir, `check-${flavor}.mts`)] as const))
    for (const [flavor, file] of files) await writeFile(file, hydrateSource(flavor))
    const program = ts.createProgram([...files.values()], {
      strict: true,
      noEmit: true,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      target: ts.ScriptTarget.ES2022,
      // Without lib.dom.d.ts (1.9 MB), which the default lib for this target adds: @types/node declares the
      // web globals (fetch, Request, Response) the transports' .d.ts use.
      lib: ['lib.es2022.d.ts'],
      skipLibCheck: true,
      types: ['node'],
      typeRoots: [join(import.meta.dirname, '..', '..', 'node_modules', '@types')]
    })
    const problems = (file: string) =>
      ts.getPreEmitDiagnostics(program, program.getSourceFile(file)).map(d => ts.flattenDiagnosticMessageText(d.messageText, '\n'))
    return new Map([...files].map(([flavor, file]) => [flavor, problems(file)]))
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

describe.each(flavors)('the hydrate API types (%s .d.ts)', flavor => {
  it('type-checks a server that captures and continues a session', async () => {
    const problems = (await (typeChecked ??= typeCheckFlavors())).get(flavor)
    expect(problems).toEqual([])
  }, 60_000)
})
