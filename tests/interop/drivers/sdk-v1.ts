/**
 * Driver for the v1 SDK client (`@modelcontextprotocol/sdk`) from a matrix
 * cell (MCPS_CLIENT_DIR: `.matrix/<version>/plain` as published, or
 * `patched` by this repo's patch set). MCPS_RECOVER_SESSION=1 turns on the
 * patch set's `recoverSession` option; see serve.ts for the protocol.
 */
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { serve } from './serve.js'

const esm = (sub: string) => import(pathToFileURL(join(process.env.MCPS_CLIENT_DIR ?? '', 'node_modules', '@modelcontextprotocol', 'sdk', 'dist', 'esm', sub)).href)
const [{ Client }, { StreamableHTTPClientTransport }, { LoggingMessageNotificationSchema }] = await Promise.all([esm('client/index.js'), esm('client/streamableHttp.js'), esm('types.js')])
const url = new URL(process.env.MCPS_SERVER_URL!)
const options = process.env.MCPS_RECOVER_SESSION === '1' ? { recoverSession: true } : {}

await serve(emit => {
  const client = new Client({ name: 'interop-v1-client', version: '1.0.0' }, { capabilities: {} })
  client.onerror = (error: unknown) => emit('error', error)
  client.setNotificationHandler(LoggingMessageNotificationSchema, (notification: { params: { data: unknown } }) => emit('notification', notification.params.data))
  return {
    connect: async () => {
      await client.connect(new StreamableHTTPClientTransport(url, options))
      return client.getServerVersion()
    },
    listTools: async () => (await client.listTools()).tools.map((t: { name: string }) => t.name),
    callTool: (name, args) => client.callTool({ name, arguments: args }),
    close: () => client.close()
  }
})
