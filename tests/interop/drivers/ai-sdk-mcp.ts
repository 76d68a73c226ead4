/** Driver for `@ai-sdk/mcp` (its own HTTP transport); see serve.ts. */
import { importClient, serve } from './serve.js'

const { createMCPClient } = await importClient('@ai-sdk/mcp')
const url = process.env.MCPS_SERVER_URL!

await serve(emit => {
  let client: any
  return {
    connect: async () => {
      client = await createMCPClient({
        transport: { type: 'http', url, onSessionExpired: (id: string) => emit('error', `onSessionExpired(${id})`) },
        onUncaughtError: (error: unknown) => emit('error', error)
      })
      return client.serverInfo
    },
    listTools: async () => (await client.listTools()).tools.map((t: { name: string }) => t.name),
    callTool: (name, args) => client.callTool({ name, arguments: args }),
    close: () => client?.close()
  }
})
