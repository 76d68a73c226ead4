/**
 * The client program the conformance suite launches in client mode: this
 * repo's (patched) SDK client. The suite appends the server URL as the last
 * argument and names the scenario in MCP_CONFORMANCE_SCENARIO; the program
 * does what the scenario asks and exits 0, or prints the error and exits 1.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js'

const url = new URL(process.argv[process.argv.length - 1]!)
const scenario = process.env.MCP_CONFORMANCE_SCENARIO ?? ''

async function connect(capabilities: ConstructorParameters<typeof Client>[1] = {}): Promise<Client> {
  const client = new Client({ name: 'mcp-sessions-conformance-client', version: '1.0.0' }, capabilities)
  // Reconnect quickly but never sooner than the server's `retry` field says (the sse-retry scenario measures it).
  await client.connect(new StreamableHTTPClientTransport(url, { reconnectionOptions: { initialReconnectionDelay: 100, maxReconnectionDelay: 1_000, reconnectionDelayGrowFactor: 1.5, maxRetries: 5 } }))
  return client
}

/** What each scenario asks of the client, by name. */
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
  }
}

const run = SCENARIOS[scenario]
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
