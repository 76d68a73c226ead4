import type { IncomingMessage, ServerResponse } from 'node:http'
import { Readable } from 'node:stream'
import { SDK_PACKAGE } from '../manifest.js'
import type { CheckContext } from './types.js'

/**
 * What the checks use of the SDK, from either generation: the v1 SDK's
 * subpath modules, or a v2 package's single entry (`@modelcontextprotocol/client`,
 * `/server`). A check written against these runs on both; its v2 twin only
 * names the package.
 */

/** The client classes of the copy under test. */
export async function clientClasses(ctx: CheckContext): Promise<{ Client: any; StreamableHTTPClientTransport: any }> {
  if (ctx.package !== SDK_PACKAGE) return ctx.load('')
  const [{ Client }, { StreamableHTTPClientTransport }] = await Promise.all([ctx.load('client/index.js'), ctx.load('client/streamableHttp.js')])
  return { Client, StreamableHTTPClientTransport }
}

/**
 * The HTTP status of a failed transport call: v1's `StreamableHTTPError` keeps
 * it in `code`, v2's `SdkHttpError` in `status`.
 *
 * @example
 * ensure(httpStatus(error) === 404, 'expected 404')
 */
export function httpStatus(error: unknown): number | undefined {
  const e = error as { status?: unknown; code?: unknown } | undefined
  return typeof e?.status === 'number' ? e.status : typeof e?.code === 'number' ? e.code : undefined
}

/** A failed call as a check reports it: status (or code) and message. */
export function shown(error: unknown): string {
  if (error === undefined) return 'no error'
  if (!(error instanceof Error)) return String(error)
  return `${httpStatus(error) ?? (error as { code?: unknown }).code ?? ''} ${error.message}`.trim()
}

export interface ServerTransportApi {
  /** v1's Node wrapper (`StreamableHTTPServerTransport`), v2's `WebStandardStreamableHTTPServerTransport`. */
  Transport: any
  /** A node:http handler that hands each request to `transport`. */
  serve(transport: any): (req: IncomingMessage, res: ServerResponse) => void
}

/**
 * The server transport of the copy under test, and how node:http reaches it:
 * directly for v1's Node wrapper, through a small fetch bridge for v2's
 * web-standard transport (what `@modelcontextprotocol/node` does).
 */
export async function serverTransport(ctx: CheckContext): Promise<ServerTransportApi> {
  if (ctx.package === SDK_PACKAGE) {
    const { StreamableHTTPServerTransport } = await ctx.load('server/streamableHttp.js')
    return { Transport: StreamableHTTPServerTransport, serve: transport => (req, res) => void transport.handleRequest(req, res) }
  }
  const { WebStandardStreamableHTTPServerTransport } = await ctx.load('')
  return { Transport: WebStandardStreamableHTTPServerTransport, serve: transport => (req, res) => void bridge(transport, req, res) }
}

async function bridge(transport: { handleRequest(request: Request): Promise<Response> }, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const headers = new Headers()
  for (const [name, value] of Object.entries(req.headers)) if (typeof value === 'string') headers.set(name, value)
  const init: RequestInit & { duplex?: 'half' } = { method: req.method, headers }
  if (req.method === 'POST') Object.assign(init, { body: Readable.toWeb(req) as ReadableStream, duplex: 'half' })
  try {
    const response = await transport.handleRequest(new Request(`http://${req.headers.host}${req.url}`, init))
    res.writeHead(response.status, Object.fromEntries(response.headers))
    if (!response.body) return void res.end()
    const reader = response.body.getReader()
    res.on('close', () => void reader.cancel().catch(() => {}))
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) res.write(chunk.value)
    res.end()
  } catch {
    if (!res.headersSent) res.writeHead(500)
    res.end()
  }
}
