/**
 * With `recoverSession: true`, the client transport answers a session 404 by
 * starting a new session (same client info and capabilities), re-opening the
 * GET stream and retrying the failed request once. Off by default. Runs on the
 * v1 SDK and on `@modelcontextprotocol/client` 2.x (tests/helpers/sdk-api.ts).
 * @see https://github.com/modelcontextprotocol/typescript-sdk/issues/1476
 * @see https://github.com/modelcontextprotocol/typescript-sdk/issues/1708
 */
import { describe, expect, onTestFinished } from 'vitest'
import { flavors, type ModuleFlavor } from '../helpers/cell.js'
import { useMsw } from '../helpers/msw.js'
import { guard, proof } from '../helpers/proof.js'
import { clientSdk, failsWithStatus, generation } from '../helpers/sdk-api.js'
import { scriptedServer } from '../helpers/scripted-server.js'
import { nextEvent, settle } from '../helpers/wait.js'

const URL_ = 'http://mcp.test/mcp'
const server = useMsw()
const recovers = proof('1476-session-recovery')
const off = guard('1476-session-recovery')

const clientInfo = { name: 'recovery-proof', version: '2.0.0' }
const capabilities = { roots: { listChanged: true } }

async function connect(flavor: ModuleFlavor, scripted: ReturnType<typeof scriptedServer>, transportOptions: Record<string, unknown> = {}) {
  const { Client, StreamableHTTPClientTransport } = await clientSdk(flavor)
  server.use(...scripted.handlers)
  const recovered: Array<[string, string | undefined]> = []
  const transport = new StreamableHTTPClientTransport(new URL(URL_), {
    recoverSession: true,
    onsessionrecovered: (previous: string, next: string | undefined) => recovered.push([previous, next]),
    reconnectionOptions: { initialReconnectionDelay: 10, maxReconnectionDelay: 20, reconnectionDelayGrowFactor: 1, maxRetries: 3 },
    ...transportOptions
  })
  const client = new Client(clientInfo, { capabilities })
  onTestFinished(() => client.close())
  await client.connect(transport)
  return { client, transport, recovered }
}

const initializes = (s: ReturnType<typeof scriptedServer>) => s.seen.filter(r => r.rpcMethod === 'initialize')

describe.each(flavors)('client session recovery (%s)', flavor => {
  recovers('re-initializes with the same client info and capabilities and retries a POST once', async () => {
    const scripted = scriptedServer(URL_)
    const { client, transport, recovered } = await connect(flavor, scripted)
    expect(transport.sessionId).toBe('session-1')
    scripted.forget('session-1')

    await expect(client.listTools()).resolves.toMatchObject({ tools: [] })
    expect(transport.sessionId).toBe('session-2')
    expect(recovered).toEqual([['session-1', 'session-2']])

    const [first, second] = initializes(scripted)
    expect(second).toMatchObject({ sessionId: null, params: { clientInfo, capabilities, protocolVersion: first?.params?.protocolVersion } })
    const afterForget = scripted.seen.slice(scripted.seen.findIndex(r => r.rpcMethod === 'tools/list'))
    expect(afterForget.filter(r => r.method === 'POST').map(r => [r.rpcMethod, r.sessionId])).toEqual([
      ['tools/list', 'session-1'],
      ['initialize', null],
      ['notifications/initialized', 'session-2'],
      ['tools/list', 'session-2']
    ])
  })

  recovers('re-opens the GET stream after a POST recovery', async () => {
    const scripted = scriptedServer(URL_, { getStream: true })
    const { client } = await connect(flavor, scripted)
    await scripted.waitFor('the first GET stream', r => r.method === 'GET' && r.sessionId === 'session-1')
    scripted.restart()
    await expect(client.listTools()).resolves.toMatchObject({ tools: [] })
    await scripted.waitFor('a GET stream for the new session', r => r.method === 'GET' && r.sessionId === 'session-2')
  })

  recovers('recovers when a GET stream reconnection gets 404, and re-opens the stream', async () => {
    const scripted = scriptedServer(URL_, { getStream: true })
    const { client, transport, recovered } = await connect(flavor, scripted)
    await scripted.waitFor('the first GET stream', r => r.method === 'GET' && r.sessionId === 'session-1')
    const done = nextEvent<void>('onsessionrecovered', deliver => {
      const previous = (transport as any)._mcpsOnRecovered
      ;(transport as any)._mcpsOnRecovered = (a: string, b: string) => {
        previous?.(a, b)
        deliver()
      }
    })
    scripted.restart()
    await done
    expect(recovered).toEqual([['session-1', 'session-2']])
    await scripted.waitFor('a GET stream for the new session', r => r.method === 'GET' && r.sessionId === 'session-2')
    await expect(client.listTools()).resolves.toMatchObject({ tools: [] })
  })

  recovers('recovers when opening the GET stream gets 404', async () => {
    const scripted = scriptedServer(URL_, { getStream: true, forgetOnFirstGet: true })
    const { client, transport } = await connect(flavor, scripted)
    await scripted.waitFor('a GET stream for the new session', r => r.method === 'GET' && r.sessionId === 'session-2')
    expect(transport.sessionId).toBe('session-2')
    await expect(client.listTools()).resolves.toMatchObject({ tools: [] })
  })

  recovers('starts one new session for requests that fail together', async () => {
    const scripted = scriptedServer(URL_)
    const { client, transport } = await connect(flavor, scripted)
    scripted.forget('session-1')
    const results = await Promise.allSettled([client.listTools(), client.listTools(), client.listTools()])
    expect(results.map(r => r.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled'])
    expect(initializes(scripted)).toHaveLength(2)
    expect(transport.sessionId).toBe('session-2')
  })

  recovers('surfaces a second 404 right after recovery instead of looping', async () => {
    const scripted = scriptedServer(URL_, { toolsAlways404: true })
    const { client, transport } = await connect(flavor, scripted)
    await failsWithStatus(client.listTools(), 404)
    expect(initializes(scripted)).toHaveLength(2)
    expect(transport.sessionId).toBeUndefined()
    await settle(50)
    expect(initializes(scripted)).toHaveLength(2)
  })

  recovers('surfaces a failed re-initialize, and the next call tries again', async () => {
    let failures = 1
    const scripted = scriptedServer(URL_, { failInitialize: () => (scripted.seen.some(r => r.rpcMethod === 'tools/list') && failures-- > 0 ? 500 : undefined) })
    const { client, transport } = await connect(flavor, scripted)
    scripted.forget('session-1')
    await expect(client.listTools()).rejects.toThrow(/Failed to recover expired session session-1/)
    expect(transport.sessionId).toBeUndefined()
    await expect(client.listTools()).resolves.toMatchObject({ tools: [] })
    expect(transport.sessionId).toBe('session-2')
  })

  off('is off by default: a session 404 surfaces and nothing re-initializes', async () => {
    const scripted = scriptedServer(URL_)
    const { client } = await connect(flavor, scripted, { recoverSession: undefined })
    scripted.forget('session-1')
    await failsWithStatus(client.listTools(), 404)
    expect(initializes(scripted)).toHaveLength(1)
  })

  // v2's Client.connect() skips initialize for a transport that already has a session id (an app resuming a
  // stored session); the v2 fix gives the transport the initialize the Client would send. (The v1 SDK has the
  // same skip; its fix surfaces that session's 404 instead.)
  if (generation() === 2) {
    recovers('recovers a session the transport resumed without initialize (stored session id)', async () => {
      const scripted = scriptedServer(URL_)
      const { Client, StreamableHTTPClientTransport } = await clientSdk(flavor)
      server.use(...scripted.handlers)
      const transport = new StreamableHTTPClientTransport(new URL(URL_), { sessionId: 'stored-session', protocolVersion: '2025-06-18', recoverSession: true })
      const client = new Client(clientInfo, { capabilities })
      onTestFinished(() => client.close())
      await client.connect(transport)
      expect(initializes(scripted)).toHaveLength(0)
      // The server never knew (or forgot) the stored session: the call is answered after a new initialize.
      await expect(client.callTool({ name: 'echo', arguments: {} })).resolves.toMatchObject({ content: [{ text: 'echo' }] })
      expect(transport.sessionId).toBe('session-1')
      expect(initializes(scripted)).toEqual([expect.objectContaining({ sessionId: null, params: expect.objectContaining({ clientInfo, capabilities }) })])
    })
  }
})
