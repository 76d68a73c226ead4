import type { IncomingMessage, ServerResponse } from 'node:http'
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js'
import { systemClock } from './clock.js'
import { MemorySessionStore } from './memory-session-store.js'
import type { CloseReason, SessionManagerOptions } from './options.js'
import { readBody } from './internal/body-reader.js'
import { createContext, type ManagerContext } from './internal/context.js'
import { Dispatcher } from './internal/dispatcher.js'
import { nodeHandler, type NodeHandler } from './internal/node-adapter.js'
import { toResponse } from './internal/streams/tracked-stream.js'
import { createReporter } from './internal/reporter.js'
import { resolveSettings } from './internal/settings.js'
import { errorResponse } from './internal/wire.js'

/**
 * Options for one request handled through the web-standard entry point.
 *
 * @example
 * manager.handleRequest(c.req.raw, { authInfo: c.get('auth') })
 */
export interface HandleRequestOptions {
  authInfo?: AuthInfo
  /** The body, when a framework has already parsed it. */
  parsedBody?: unknown
  /** The client's network address: without a principal, sessions count against its quota (`maxSessionsPerPrincipal`). */
  clientAddress?: string
}

/**
 * Owns every session of one MCP endpoint: creation on initialize, the
 * lifetime policy, resumable streams and principal binding.
 *
 * @example
 * const manager = createSessionManager({ createServer: () => buildServer() })
 * http.createServer((req, res) => manager.handleNodeRequest(req, res)).listen(3000)
 */
export class SessionManager {
  readonly #ctx: ManagerContext
  readonly #core: Dispatcher
  #node: NodeHandler | undefined

  /** Prefer {@link createSessionManager}. Throws `MCPS_SDK_UNPATCHED` when the SDK lacks fix 1658-hydrate. */
  constructor(options: SessionManagerOptions) {
    const clock = options.clock ?? systemClock
    const store = options.store ?? new MemorySessionStore({ now: () => clock.now() })
    this.#ctx = createContext(options, resolveSettings(options), clock, store, createReporter(options.onError))
    this.#core = new Dispatcher(this.#ctx)
  }

  /** Live sessions on this node. */
  get size(): number {
    return this.#core.size
  }

  /** Handles one request on Node's http (or express: pass `req.body` as `parsedBody`). */
  handleNodeRequest(req: IncomingMessage, res: ServerResponse, parsedBody?: unknown): Promise<void> {
    this.#node ??= nodeHandler(incoming => this.#core.handle(incoming), this.#ctx.report)
    return this.#node(req, res, parsedBody)
  }

  /** Handles one web-standard request (Hono, Bun, Deno, workers). */
  async handleRequest(request: Request, options: HandleRequestOptions = {}): Promise<Response> {
    try {
      return toResponse(await this.#core.handle({
        request,
        authInfo: options.authInfo,
        body: options.parsedBody !== undefined ? { parsed: options.parsedBody } : { read: (limit, timeoutMs) => readBody(request.body, limit, timeoutMs) },
        address: options.clientAddress
      }))
    } catch (error) {
      this.#ctx.report('MCPS_INTERNAL_ERROR', 'Failed to handle a request: unexpected error', error)
      return errorResponse('MCPS_INTERNAL_ERROR')
    }
  }

  /** Ends a session now; resolves `false` when there was no such session. */
  close(sessionId: string, reason: CloseReason = 'closed'): Promise<boolean> {
    return this.#core.close(sessionId, reason)
  }

  /**
   * A graceful stop: new requests get 503 with Retry-After (behind a balancer
   * the retry lands on another node), open GET streams end at once so their
   * clients resume elsewhere, requests in flight get up to `graceMs` (default
   * `shutdownGraceMs`, 10 s) to finish, then every session ends (reason
   * `shutdown`). With a shared store the sessions live on for the other
   * nodes: this node only drops its local objects. Call it on SIGTERM, after
   * the HTTP server stopped accepting connections.
   */
  shutdown(options: { graceMs?: number } = {}): Promise<void> {
    return this.#core.shutdown(options.graceMs ?? this.#ctx.settings.shutdownGraceMs)
  }
}

/**
 * Creates the session manager for one MCP endpoint. Throws
 * `MCPS_SDK_UNPATCHED` when the installed SDK lacks fix 1658-hydrate (run
 * `npx mcp-sessions-patch apply`).
 *
 * @example
 * const manager = createSessionManager({
 *   createServer: () => {
 *     const server = new McpServer({ name: 'demo', version: '1.0.0' })
 *     server.registerTool('echo', { inputSchema: { text: z.string() } }, ({ text }) => ({ content: [{ type: 'text', text }] }))
 *     return server
 *   }
 * })
 */
export function createSessionManager(options: SessionManagerOptions): SessionManager {
  return new SessionManager(options)
}
