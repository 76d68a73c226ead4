/** Driver for `@modelcontextprotocol/client` (the v2 SDK client) on its StreamableHTTPClientTransport; see serve.ts. */
import { importClient, serve } from './serve.js'

const { Client, StreamableHTTPClientTransport } = await importClient('@modelcontextprotocol/client')
const url = process.env.MCPS_SERVER_URL!

await serve(emit => {
  const client = new Client({ name: 'interop-v2-client', version: '1.0.0' }, { capabilities: {} })
  client.onerror = (error: unknown) => emit('error', error)
  client.setNotificationHandler('notifications/message', (notification: { params: { data: unknown } }) => emit('notification', notification.params.data))
  return {
    connect: async () => {
      await client.connect(new StreamableHTTPClientTransport(new URL(url)))
      return client.getServerVersion()
    },
    listTools: async () => (await client.listTools()).tools.map((t: { name: string }) => t.name),
    callTool: (name, args) => client.callTool({ name, arguments: args }),
    close: () => client.close()
  }
})
