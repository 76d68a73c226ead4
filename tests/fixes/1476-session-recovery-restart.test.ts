/**
 * End to end: a real server process (the session manager, in-memory store) is
 * killed and restarted between two calls. With `recoverSession: true` the
 * application's next call succeeds with no code of its own; the SDK as
 * published surfaces a 404 instead.
 * @see https://github.com/modelcontextprotocol/typescript-sdk/issues/1476
 */
import { describe, expect, onTestFinished } from 'vitest'
import { flavors } from '../helpers/cell.js'
import { startServerProcess } from '../helpers/process.js'
import { proof } from '../helpers/proof.js'
import { clientSdk } from '../helpers/sdk-api.js'

const recovers = proof('1476-session-recovery')

describe.each(flavors)('client session recovery across a server restart (%s)', flavor => {
  // Bounded for two server start-ups (up to 30 s each, tests/helpers/process.ts) on a machine the v1 and v2 cells share.
  recovers('continues with a new session after the server process is killed and restarted', async () => {
    const { Client, StreamableHTTPClientTransport } = await clientSdk(flavor)
    const first = await startServerProcess('tests/fixtures/manager-server.mjs')
    const recovered: string[][] = []
    const transport = new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${first.port}/mcp`), {
      recoverSession: true,
      onsessionrecovered: (previous: string, next: string) => recovered.push([previous, next]),
      reconnectionOptions: { initialReconnectionDelay: 50, maxReconnectionDelay: 200, reconnectionDelayGrowFactor: 2, maxRetries: 20 }
    })
    const client = new Client({ name: 'restart-proof', version: '1.0.0' })
    transport.onerror = () => {}
    onTestFinished(() => client.close())
    await client.connect(transport)
    await expect(client.callTool({ name: 'echo', arguments: { text: 'before' } })).resolves.toMatchObject({ content: [{ text: 'before' }] })
    const before = transport.sessionId as string

    await first.kill()
    await startServerProcess('tests/fixtures/manager-server.mjs', { PORT: String(first.port) })

    await expect(client.callTool({ name: 'echo', arguments: { text: 'after' } })).resolves.toMatchObject({ content: [{ text: 'after' }] })
    expect(transport.sessionId).not.toBe(before)
    expect(recovered).toEqual([[before, transport.sessionId]])
  }, 90_000)
})
