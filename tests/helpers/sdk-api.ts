import { CLIENT_PACKAGE, SDK_PACKAGE } from '@mcp-sessions/patches'
import { expect } from 'vitest'
import { existsSync } from 'node:fs'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { join } from 'node:path'
import { currentCell, loadPackage, loadSdk, type ModuleFlavor } from './cell.js'
import { bridgeToWeb } from './sessions-app.js'

/**
 * The SDK as the proof tests use it, from either generation, so one proof file
 * runs in the v1 cells (`@modelcontextprotocol/sdk`, a module per subpath) and
 * in the v2 cells (`@modelcontextprotocol/client` / `/server`, one entry each).
 * Only what differs between the two lives here: where a class comes from, how
 * an HTTP error carries its status, how a handler is registered.
 */

/** 1 in a cell of `@modelcontextprotocol/sdk`, 2 in a cell of a v2 package. */
export const generation = (): 1 | 2 => (currentCell().pkg === SDK_PACKAGE ? 1 : 2)

/**
 * The HTTP status a failed transport call carries: v1's `StreamableHTTPError`
 * puts it in `code`, v2's `SdkHttpError` in `status` (its `code` is a string).
 *
 * @example
 * expect(httpStatus(await t.send(msg).catch(e => e))).toBe(404)
 */
export function httpStatus(error: unknown): number | undefined {
  const e = error as { status?: unknown; code?: unknown } | undefined
  if (typeof e?.status === 'number') return e.status
  return typeof e?.code === 'number' ? e.code : undefined
}

/** Awaits a call that must fail and returns its error, asserting the HTTP status it carries. */
export async function failsWithStatus(call: Promise<unknown>, status: number): Promise<Error> {
  const error = await call.then(
    () => undefined,
    (e: Error) => e
  )
  expect(error, `expected the call to fail with HTTP ${status}`).toBeInstanceOf(Error)
  expect(httpStatus(error), String(error)).toBe(status)
  return error as Error
}

export interface ClientSdk {
  Client: any
  StreamableHTTPClientTransport: any
  LATEST_PROTOCOL_VERSION: string
  /** Sends `initialize` as an application would to start a new session by hand (v1 needs the result schema). */
  initialize(client: any, params: Record<string, unknown>): Promise<any>
  /** Answers elicitation requests from the server. */
  onElicit(client: any, handler: (request: any) => unknown): void
  /** Receives `notifications/message`. */
  onLogMessage(client: any, handler: (notification: any) => void): void
}

/**
 * The client side of the cell's SDK. In a v2 server cell the client package
 * is installed beside the server as published, to drive it.
 *
 * @example
 * const { Client, StreamableHTTPClientTransport } = await clientSdk('esm')
 */
export async function clientSdk(flavor: ModuleFlavor): Promise<ClientSdk> {
  if (generation() === 1) {
    const [{ Client }, { StreamableHTTPClientTransport }, types] = await Promise.all([loadSdk('client/index.js', flavor), loadSdk('client/streamableHttp.js', flavor), loadSdk('types.js', flavor)])
    return {
      Client,
      StreamableHTTPClientTransport,
      LATEST_PROTOCOL_VERSION: types.LATEST_PROTOCOL_VERSION,
      initialize: (client, params) => client.request({ method: 'initialize', params }, types.InitializeResultSchema),
      onElicit: (client, handler) => client.setRequestHandler(types.ElicitRequestSchema, handler),
      onLogMessage: (client, handler) => client.setNotificationHandler(types.LoggingMessageNotificationSchema, handler)
    }
  }
  const v2 = await loadPackage(flavor, CLIENT_PACKAGE)
  return {
    Client: v2.Client,
    StreamableHTTPClientTransport: v2.StreamableHTTPClientTransport,
    LATEST_PROTOCOL_VERSION: v2.LATEST_PROTOCOL_VERSION,
    initialize: (client, params) => client.request({ method: 'initialize', params }),
    onElicit: (client, handler) => client.setRequestHandler('elicitation/create', handler),
    onLogMessage: (client, handler) => client.setNotificationHandler('notifications/message', handler)
  }
}

export interface ServerSdk {
  McpServer: any
  /** The Node wrapper (`StreamableHTTPServerTransport`): v1 only; v2 moved it to `@modelcontextprotocol/node`. */
  NodeTransport: any
  /** The web-standard transport: v1 from 1.25, every v2 release. */
  WebTransport: any
  isInitializeRequest: (value: unknown) => boolean
  LATEST_PROTOCOL_VERSION: string
}

/**
 * The server side of the cell's SDK.
 *
 * @example
 * const { McpServer, WebTransport } = await serverSdk('cjs')
 */
export async function serverSdk(flavor: ModuleFlavor): Promise<ServerSdk> {
  if (generation() === 1) {
    const [{ McpServer }, { StreamableHTTPServerTransport }, types] = await Promise.all([loadSdk('server/mcp.js', flavor), loadSdk('server/streamableHttp.js', flavor), loadSdk('types.js', flavor)])
    const web = await loadSdk('server/webStandardStreamableHttp.js', flavor).catch(() => undefined)
    return { McpServer, NodeTransport: StreamableHTTPServerTransport, WebTransport: web?.WebStandardStreamableHTTPServerTransport, isInitializeRequest: types.isInitializeRequest, LATEST_PROTOCOL_VERSION: types.LATEST_PROTOCOL_VERSION }
  }
  const v2 = await loadPackage(flavor)
  return { McpServer: v2.McpServer, NodeTransport: undefined, WebTransport: v2.WebStandardStreamableHTTPServerTransport, isInitializeRequest: v2.isInitializeRequest, LATEST_PROTOCOL_VERSION: v2.LATEST_PROTOCOL_VERSION }
}

/**
 * The server transports a cell has: `node`, the Node wrapper (v1), and `web`,
 * the web-standard transport (v1 from 1.25, every v2 release).
 *
 * @example
 * describe.each(transportKinds())('(%s transport)', kind => { ... })
 */
export function transportKinds(cell = currentCell()): Array<'node' | 'web'> {
  if (generation() === 2) return ['web']
  return existsSync(join(cell.sdkDir, 'dist', 'esm', 'server', 'webStandardStreamableHttp.js')) ? ['node', 'web'] : ['node']
}

/**
 * Hands a node:http request to a server transport of either kind: the Node
 * wrapper takes it as is, a web-standard transport through `bridgeToWeb`.
 *
 * @example
 * listen((req, res) => void handleFromNode(sdk, transport, req, res))
 */
export function handleFromNode(sdk: ServerSdk, transport: any, req: IncomingMessage, res: ServerResponse, parsedBody?: unknown): Promise<void> {
  if (sdk.NodeTransport && transport instanceof sdk.NodeTransport) return transport.handleRequest(req, res, parsedBody)
  return bridgeToWeb(req, res, transport, parsedBody)
}
