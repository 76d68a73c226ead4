/**
 * Tries the local cluster with the SDK client (the repo's patched copy):
 *
 *   npm run cluster                                   # in one terminal
 *   npx tsx packages/tools/src/cluster-client.ts [http://127.0.0.1:3000/mcp] [--rounds 3] [--pause 0]
 *
 * One session through the round-robin front: echo (each call names the node
 * that served it), notify (a log message produced by one node, delivered on
 * the GET stream held by another), ask (an elicitation answered
 * automatically; the answer may land on any node), slow (five related
 * messages, then the result). `--pause <s>` waits between rounds: kill a node
 * (its pid is printed by the cluster) and watch the session carry on.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { ElicitRequestSchema, LoggingMessageNotificationSchema } from '@modelcontextprotocol/sdk/types.js'

const args = process.argv.slice(2)
const flag = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`)
  return i >= 0 && args[i + 1] ? args[i + 1]! : fallback
}
const url = args.find(a => a.startsWith('http')) ?? 'http://127.0.0.1:3000/mcp'
const rounds = Number(flag('rounds', '3'))
const pauseMs = Number(flag('pause', '0')) * 1000

const client = new Client({ name: 'cluster-client', version: '1.0.0' }, { capabilities: { elicitation: { form: {} } } })
client.setNotificationHandler(LoggingMessageNotificationSchema, n => console.log(`  notification: ${String(n.params.data)}`))
client.setRequestHandler(ElicitRequestSchema, async request => {
  console.log(`  elicitation: "${request.params.message}" -> answering yes`)
  return { action: 'accept', content: { answer: 'yes' } }
})
const transport = new StreamableHTTPClientTransport(new URL(url), {
  reconnectionOptions: { initialReconnectionDelay: 100, maxReconnectionDelay: 2_000, reconnectionDelayGrowFactor: 1.5, maxRetries: 10 }
})
const text = (result: unknown) => (result as { content: Array<{ text: string }> }).content.map(c => c.text).join(' | ')

await client.connect(transport)
console.log(`session ${transport.sessionId} via ${url}`)
for (let round = 1; round <= rounds; round++) {
  console.log(`round ${round}`)
  for (let i = 0; i < 3; i++) console.log(`  echo: ${text(await client.callTool({ name: 'echo', arguments: { text: `hello ${round}.${i}` } }))}`)
  console.log(`  notify: ${text(await client.callTool({ name: 'notify', arguments: { text: `ping ${round}` } }))}`)
  console.log(`  ask: ${text(await client.callTool({ name: 'ask', arguments: { question: `continue round ${round}?` } }))}`)
  console.log(`  slow: ${text(await client.callTool({ name: 'slow', arguments: { count: 5, delayMs: 100 } }))}`)
  if (pauseMs && round < rounds) {
    console.log(`  (pausing ${pauseMs / 1000} s: kill a node now if you like)`)
    await new Promise(resolve => setTimeout(resolve, pauseMs))
  }
}
await transport.terminateSession()
await client.close()
