import { EventEmitter } from 'node:events'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport, type StreamableHTTPClientTransportOptions } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { onTestFinished } from 'vitest'
import { z } from 'zod'
import { createSessionManager, type CloseReason, type SessionManagerError, type SessionManagerOptions } from '@mcp-sessions/server'
import { listen } from '../../helpers/listen.js'
import { recordNotifications } from '../../helpers/notifications.js'
import { nextEvent } from '../../helpers/wait.js'

export const PROTOCOL = '2025-11-25'
export const ACCEPT = 'application/json, text/event-stream'

/** The MCP server every test session gets: one echo tool, logging enabled for notifications. */
export function demoServer(): McpServer {
  const server = new McpServer({ name: 'demo', version: '1.0.0' }, { capabilities: { logging: {} } })
  server.registerTool('echo', { inputSchema: { text: z.string() } }, ({ text }) => ({ content: [{ type: 'text', text }] }))
  return server
}

export interface Recorded {
  created: string[]
  closed: Array<{ id: string; reason: CloseReason }>
  detached: Array<{ id: string; streamId: string | undefined }>
  reattached: Array<{ id: string; streamId: string | undefined; lastEventId: string | undefined }>
  errors: SessionManagerError[]
}

/**
 * A manager on a real node:http server on 127.0.0.1:0, recording every hook.
 * Hooks passed in `options` run after the recorder (so a throwing hook can be tested).
 */
export async function startManager(options: Partial<SessionManagerOptions> & { keepAliveTimeout?: number } = {}) {
  const bus = new EventEmitter()
  const servers = new Map<string, McpServer>()
  const log: Recorded = { created: [], closed: [], detached: [], reattached: [], errors: [] }
  const record = <K extends keyof Recorded>(kind: K, entry: Recorded[K][number]) => {
    ;(log[kind] as unknown[]).push(entry)
    bus.emit('event')
  }
  const { keepAliveTimeout, ...rest } = options
  const manager = createSessionManager({
    ...rest,
    createServer: rest.createServer ?? (({ sessionId }) => {
      const server = demoServer()
      servers.set(sessionId, server)
      return server
    }),
    onSessionCreated: session => {
      record('created', session.id)
      return rest.onSessionCreated?.(session)
    },
    onSessionClosed: (id, reason) => {
      record('closed', { id, reason })
      return rest.onSessionClosed?.(id, reason)
    },
    onStreamDetached: (id, stream) => {
      record('detached', { id, streamId: stream.streamId })
      return rest.onStreamDetached?.(id, stream)
    },
    onStreamReattached: (id, stream) => {
      record('reattached', { id, streamId: stream.streamId, lastEventId: stream.lastEventId })
      return rest.onStreamReattached?.(id, stream)
    },
    onError: error => record('errors', error)
  })
  onTestFinished(() => manager.shutdown())
  const requests = new EventEmitter()
  const http = await listen((req: IncomingMessage, res: ServerResponse) => {
    requests.emit(req.method ?? '', req, res)
    // 'head' fires once the manager has answered (for a stream: once it is open and registered).
    const writeHead = res.writeHead.bind(res) as (...args: unknown[]) => ServerResponse
    res.writeHead = ((...args: unknown[]) => {
      const result = writeHead(...args)
      requests.emit('head', req, res)
      return result
    }) as typeof res.writeHead
    void manager.handleNodeRequest(req, res)
  }, { keepAliveTimeout })

  /** Resolves once `check` holds for the recorded hooks; re-checked on every hook call. */
  const until = (what: string, check: () => boolean, ms = 3_000) =>
    check() ? Promise.resolve() : nextEvent<void>(what, deliver => {
      const listener = () => {
        if (check()) {
          bus.off('event', listener)
          deliver()
        }
      }
      bus.on('event', listener)
    }, ms)

  /** Resolves with the response of the next GET once its head is written. */
  const nextGetOpened = () => nextEvent<ServerResponse>('a GET response head', deliver => {
    const listener = (req: IncomingMessage, res: ServerResponse) => {
      if (req.method !== 'GET') return
      requests.off('head', listener)
      deliver(res)
    }
    requests.on('head', listener)
  })

  return { manager, servers, log, until, requests, nextGetOpened, ...http }
}

/** An SDK client connected through the SDK's Streamable HTTP client transport; closed when the test ends. */
export async function connectClient(url: string, options: StreamableHTTPClientTransportOptions = {}) {
  const transport = new StreamableHTTPClientTransport(new URL(url), options)
  const client = new Client({ name: 'test-client', version: '1.0.0' })
  const log = recordNotifications(client)
  onTestFinished(() => client.close())
  await client.connect(transport)
  return { client, transport, ...log }
}

export interface RpcResult {
  status: number
  headers: Headers
  /** The JSON body, or the first JSON-RPC message of an SSE body. */
  json: any
}

/** One raw HTTP request to the endpoint, for the cases an SDK client never sends. */
export async function send(url: string, init: { method?: string; sessionId?: string; body?: unknown; rawBody?: string; headers?: Record<string, string> } = {}): Promise<RpcResult> {
  const headers: Record<string, string> = { accept: ACCEPT, 'mcp-protocol-version': PROTOCOL, ...init.headers }
  if (init.sessionId !== undefined) headers['mcp-session-id'] = init.sessionId
  const method = init.method ?? 'POST'
  if (method === 'POST') headers['content-type'] = 'application/json'
  const response = await fetch(url, { method, headers, body: init.rawBody ?? (init.body === undefined ? undefined : JSON.stringify(init.body)) })
  const text = await response.text()
  let json: any
  if ((response.headers.get('content-type') ?? '').startsWith('text/event-stream')) {
    const data = text.split('\n').filter(line => line.startsWith('data: ') && line.length > 6)
    json = data.length ? JSON.parse(data[0]!.slice(6)) : undefined
  } else if (text) {
    json = JSON.parse(text)
  }
  return { status: response.status, headers: response.headers, json }
}

export const initializeMessage = (id: number | string = 1) => ({
  jsonrpc: '2.0',
  id,
  method: 'initialize',
  params: { protocolVersion: PROTOCOL, capabilities: {}, clientInfo: { name: 'raw', version: '0' } }
})

/** Starts a session with raw requests (initialize + initialized) and returns its id. */
export async function initialize(url: string, headers: Record<string, string> = {}): Promise<string> {
  const init = await send(url, { body: initializeMessage(), headers })
  const id = init.headers.get('mcp-session-id')
  if (init.status !== 200 || !id) throw new Error(`initialize failed: ${init.status} ${JSON.stringify(init.json)}`)
  await send(url, { sessionId: id, body: { jsonrpc: '2.0', method: 'notifications/initialized' }, headers })
  return id
}

export const echo = (url: string, sessionId: string, text = 'hi', headers: Record<string, string> = {}) =>
  send(url, { sessionId, headers, body: { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'echo', arguments: { text } } } })
