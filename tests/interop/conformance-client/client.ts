/**
 * The client program the conformance suite launches in client mode: this
 * repo's (patched) SDK client, on Node 22 like the suite. The suite appends the server URL as the last
 * argument, names the scenario in MCP_CONFORMANCE_SCENARIO and, where a
 * scenario needs more (pre-registered credentials), passes a JSON object in
 * MCP_CONFORMANCE_CONTEXT; the program does what the scenario asks and exits
 * 0, or prints the error and exits 1.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { UnauthorizedError, type OAuthClientProvider } from '@modelcontextprotocol/sdk/client/auth.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js'
import type { HeadlessOAuthProvider as Provider } from './headless-oauth.js'

// Node 22 runs this file with its own type stripping (no loader: it starts in half the CPU time tsx needs, and the
// suite starts one client per scenario). Node resolves specifiers as written, so the sibling is imported by its .ts name.
const { HeadlessOAuthProvider } = (await import(new URL('./headless-oauth.ts', import.meta.url).href)) as typeof import('./headless-oauth.js')
type HeadlessOAuthProvider = Provider

const url = new URL(process.argv[process.argv.length - 1]!)
const scenario = process.env.MCP_CONFORMANCE_SCENARIO ?? ''
type Capabilities = ConstructorParameters<typeof Client>[1]

// Reconnect quickly but never sooner than the server's `retry` field says (the sse-retry scenario measures it).
const reconnectionOptions = { initialReconnectionDelay: 100, maxReconnectionDelay: 1_000, reconnectionDelayGrowFactor: 1.5, maxRetries: 5 }

async function connect(capabilities: Capabilities = {}): Promise<Client> {
  const client = new Client({ name: 'mcp-sessions-conformance-client', version: '1.0.0' }, capabilities)
  await client.connect(new StreamableHTTPClientTransport(url, { reconnectionOptions }))
  return client
}

/**
 * Authorizations one operation may go through: a first one, and one step-up
 * to a wider scope. More means the server keeps refusing what it granted
 * (auth/scope-retry-limit): the client gives up with the error.
 */
const MAX_AUTHORIZATIONS = 2

/**
 * Runs `operation`; when the SDK stops it with UnauthorizedError after sending
 * the (headless) user agent to the authorization server, exchanges the code
 * (`finish`) and runs it again, at most MAX_AUTHORIZATIONS times.
 */
async function withAuthorization<T>(provider: HeadlessOAuthProvider, operation: () => Promise<T>, finish: (code: string) => Promise<void>): Promise<T> {
  for (let authorizations = 0; ; authorizations++) {
    try {
      return await operation()
    } catch (error) {
      const code = provider.takeCode()
      if (!(error instanceof UnauthorizedError) || code === undefined || authorizations >= MAX_AUTHORIZATIONS) throw error
      await finish(code)
    }
  }
}

/**
 * Connects through the SDK's authorization support (the transport's
 * `authProvider`). A started transport cannot start again, so a connect that
 * needed an authorization finishes it on that transport and connects anew.
 */
async function connectAuthorized(provider: HeadlessOAuthProvider): Promise<{ client: Client; transport: StreamableHTTPClientTransport }> {
  let transport!: StreamableHTTPClientTransport
  const client = await withAuthorization(provider, async () => {
    transport = new StreamableHTTPClientTransport(url, { authProvider: provider, reconnectionOptions })
    const client = new Client({ name: 'mcp-sessions-conformance-client', version: '1.0.0' }, {})
    await client.connect(transport)
    return client
  }, code => transport.finishAuth(code))
  return { client, transport }
}

/** The authorization scenarios' story: connect, list and call the suite's tool, each step authorized as the server asks. */
async function authorizedSession(provider: HeadlessOAuthProvider): Promise<void> {
  const { client, transport } = await connectAuthorized(provider)
  const finish = (code: string) => transport.finishAuth(code)
  await withAuthorization(provider, () => client.listTools(), finish)
  await withAuthorization(provider, () => client.callTool({ name: 'test-tool', arguments: {} }), finish)
  await client.close()
}

/** A client that authorizes itself (no user, no redirect): the SDK gets the token on the first 401. */
async function machineSession(authProvider: OAuthClientProvider): Promise<void> {
  const client = new Client({ name: 'mcp-sessions-conformance-client', version: '1.0.0' }, {})
  await client.connect(new StreamableHTTPClientTransport(url, { authProvider, reconnectionOptions }))
  await client.listTools()
  await client.close()
}

/**
 * The client id metadata document URL the suite's authorization server expects
 * as `client_id` when it supports SEP-991 (check `cimd-client-id-used`). The
 * server never fetches it.
 */
const CLIENT_METADATA_URL = 'https://conformance-test.local/client-metadata.json'

function context(): Record<string, string> {
  const raw = process.env.MCP_CONFORMANCE_CONTEXT
  if (!raw) throw new Error(`[mcp-sessions] Failed to run ${scenario}: MCP_CONFORMANCE_CONTEXT is not set. The suite passes the pre-registered credentials there.`)
  return JSON.parse(raw) as Record<string, string>
}

/** What each scenario asks of the client, by name; the auth/* ones are matched below. */
const SCENARIOS: Record<string, () => Promise<void>> = {
  initialize: async () => {
    const client = await connect()
    await client.close()
  },
  tools_call: async () => {
    const client = await connect()
    await client.listTools()
    await client.callTool({ name: 'add_numbers', arguments: { a: 2, b: 3 } })
    await client.close()
  },
  'elicitation-sep1034-client-defaults': async () => {
    const client = await connect({ capabilities: { elicitation: { form: { applyDefaults: true } } } })
    // Accept with nothing filled in: the client fills the schema's defaults.
    client.setRequestHandler(ElicitRequestSchema, async () => ({ action: 'accept', content: {} }))
    await client.listTools()
    await client.callTool({ name: 'test_client_elicitation_defaults', arguments: {} })
    await client.close()
  },
  'sse-retry': async () => {
    const client = await connect()
    await client.listTools()
    await client.callTool({ name: 'test_reconnection', arguments: {} })
    await client.close()
  },
  'json-schema-2020-12-preservation': async () => {
    const client = await connect()
    const { tools } = await client.listTools()
    const focal = tools.find(t => t.name === 'json_schema_2020_12_tool')
    if (!focal) throw new Error('the server did not list json_schema_2020_12_tool')
    await client.callTool({ name: 'json_schema_echo', arguments: { schema: focal.inputSchema } })
    await client.close()
  },
  // Extension scenarios (SEP-1046, OAuth client credentials): the SDK's own providers, credentials from the suite.
  'auth/client-credentials-basic': async () => {
    const { ClientCredentialsProvider } = await import('@modelcontextprotocol/sdk/client/auth-extensions.js')
    const { client_id, client_secret } = context()
    await machineSession(new ClientCredentialsProvider({ clientId: client_id!, clientSecret: client_secret! }))
  },
  'auth/client-credentials-jwt': async () => {
    const { PrivateKeyJwtProvider } = await import('@modelcontextprotocol/sdk/client/auth-extensions.js')
    const { client_id, private_key_pem, signing_algorithm } = context()
    await machineSession(new PrivateKeyJwtProvider({ clientId: client_id!, privateKey: private_key_pem!, algorithm: signing_algorithm ?? 'ES256' }))
  },
  // No registration endpoint: the credentials come from the suite (client_id, client_secret; 0.2 adds the issuer).
  'auth/pre-registration': async () => {
    const { client_id, client_secret, issuer } = context()
    await authorizedSession(new HeadlessOAuthProvider({ preRegistered: { client_id: client_id!, client_secret, ...(issuer ? { issuer } : {}) } }))
  }
}

const run = SCENARIOS[scenario] ?? (scenario.startsWith('auth/') ? () => authorizedSession(new HeadlessOAuthProvider({ clientMetadataUrl: CLIENT_METADATA_URL })) : undefined)
if (!run) {
  console.error(`[mcp-sessions] Failed to run conformance scenario "${scenario}": this client has no steps for it. Add them to tests/interop/conformance-client/client.ts.`)
  process.exit(2)
}
try {
  await run()
  process.exit(0)
} catch (error) {
  console.error(`[mcp-sessions] Conformance scenario "${scenario}" failed in the client:`, error)
  process.exit(1)
}
