import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js'
import { SUPPORTED_PROTOCOL_VERSIONS } from '@modelcontextprotocol/sdk/types.js'
import type { SessionErrorCode } from '../errors.js'
import type { CloseReason } from '../options.js'
import { AnswerRouting } from './answer-routing.js'
import { stateFromInitialize } from './body.js'
import type { ManagerContext } from './context.js'
import { Heartbeat } from './heartbeat.js'
import type { LiveSession } from './live-session.js'
import { SessionRegistry } from './registry.js'
import { route, type Route } from './router.js'
import { BuildFailed, SessionFactory, type Caller } from './session-factory.js'
import { newSessionId } from './session-id.js'
import { SessionLoader } from './session-loader.js'
import { SessionStreams } from './streams/session-streams.js'
import { errorResponse } from './wire.js'

/**
 * The web-standard core of one manager: routes a request (body already
 * parsed) and carries it out. Builds and wires the parts; each owns its state.
 */
export class Dispatcher {
  readonly #ctx: ManagerContext
  readonly #heartbeat: Heartbeat
  readonly #routing: AnswerRouting
  readonly #factory: SessionFactory
  readonly #registry: SessionRegistry
  readonly #loader: SessionLoader
  readonly #streams: SessionStreams
  #shutdown = false

  constructor(ctx: ManagerContext) {
    this.#ctx = ctx
    this.#heartbeat = new Heartbeat(ctx)
    this.#routing = new AnswerRouting(ctx, id => this.#registry.get(id))
    this.#factory = new SessionFactory(ctx, session => {
      if (this.#registry.holds(session)) void this.#registry.end(session.id, 'closed')
    })
    this.#registry = new SessionRegistry(ctx, this.#heartbeat, async session => {
      this.#routing.release(session.id)
      await this.#factory.dispose(session)
    })
    this.#loader = new SessionLoader(ctx, this.#registry, this.#factory, session => this.#routing.wire(session))
    this.#streams = new SessionStreams(ctx, this.#registry)
  }

  get size(): number {
    return this.#registry.size
  }

  async handle(request: Request, authInfo: AuthInfo | undefined, body: unknown): Promise<Response> {
    if (this.#shutdown) return errorResponse('MCPS_SHUTTING_DOWN')
    const routed = route({ method: request.method, sessionId: request.headers.get('mcp-session-id'), body })
    if (routed.action === 'refuse') return this.#refuse(routed.code)
    const caller: Caller = { principal: this.#principal(authInfo, request), authInfo, request }
    if (routed.action === 'create') return this.#create(caller, body)
    const session = await this.#load(routed.sessionId, caller)
    if (session instanceof Response) return session
    if (routed.action === 'reinitialize') return errorResponse(session ? 'MCPS_ALREADY_INITIALIZED' : 'MCPS_SESSION_NOT_FOUND')
    if (!session) return errorResponse('MCPS_SESSION_NOT_FOUND')
    return this.#serve(routed, session, request, authInfo, body)
  }

  close(sessionId: string, reason: CloseReason): Promise<boolean> {
    return this.#registry.end(sessionId, reason)
  }

  /** Ends every session here (with a shared store: releases them, they live on for the other nodes). */
  async shutdown(): Promise<void> {
    this.#shutdown = true
    this.#registry.stop()
    this.#heartbeat.stop()
    const reason = this.#ctx.shared ? 'released' : 'shutdown'
    await Promise.all(this.#registry.ids().map(id => this.#registry.end(id, reason)))
    await this.#routing.close()
    try {
      await this.#ctx.store.close?.()
    } catch (error) {
      this.#ctx.report('MCPS_STORE_FAILED', 'Failed to close the session store', error)
    }
  }

  #serve(routed: Route & { action: 'post' | 'get' | 'delete' }, session: LiveSession, request: Request, authInfo: AuthInfo | undefined, body: unknown): Promise<Response> | Response {
    if (routed.action === 'post') return this.#streams.forward(session, request, authInfo, body)
    if (routed.action === 'get') return this.#streams.open(session, request, authInfo)
    return this.#registry.end(session.id, 'delete').then(() => new Response(null, { status: 200 }))
  }

  async #create(caller: Caller, body: unknown): Promise<Response> {
    const { store, settings, report } = this.#ctx
    const id = newSessionId()
    const state = stateFromInitialize(id, body, SUPPORTED_PROTOCOL_VERSIONS)
    let session: LiveSession
    try {
      session = await this.#factory.create(id, state, caller)
    } catch (error) {
      return this.#buildFailed(error)
    }
    const { principal, createdAt } = session
    try {
      if (!(await store.create({ id, state, principal, createdAt, lastActiveAt: createdAt }, settings.storeTtlMs))) {
        throw new Error(`the store already holds a session "${id}"`)
      }
    } catch (error) {
      report('MCPS_STORE_FAILED', 'Failed to create a session: could not save the record', error)
      await this.#factory.dispose(session)
      return errorResponse('MCPS_STORE_FAILED')
    }
    this.#routing.wire(session)
    this.#registry.add(session, 'new')
    const response = await this.#streams.forward(session, caller.request, caller.authInfo, body)
    if (session.transport.sessionId !== id) {
      // The SDK refused the initialize (bad headers or params): nobody learned the id.
      await this.#registry.end(id, 'closed')
      return response
    }
    session.announced = true
    this.#ctx.hook('onSessionCreated', { id, principal, state, createdAt })
    return response
  }

  /** {@link SessionLoader.load}, with its failures answered: 500 when createServer threw, else 503 + Retry-After. */
  async #load(id: string, caller: Caller): Promise<LiveSession | Response | undefined> {
    try {
      return await this.#loader.load(id, caller)
    } catch (error) {
      if (error instanceof BuildFailed) return this.#buildFailed(error)
      this.#ctx.report('MCPS_STORE_FAILED', `Failed to load session "${id}" from the store`, error)
      return errorResponse('MCPS_STORE_FAILED')
    }
  }

  #buildFailed(error: unknown): Response {
    const failure = error instanceof BuildFailed ? error : new BuildFailed('MCPS_STORE_FAILED', 'Failed to create a session', error)
    this.#ctx.report(failure.code, failure.message, failure.cause)
    return errorResponse(failure.code)
  }

  #refuse(code: SessionErrorCode): Response {
    if (code === 'MCPS_BODY_TOO_LARGE') return errorResponse(code, { detail: `the request body exceeds ${this.#ctx.settings.maxBodyBytes} bytes` })
    if (code === 'MCPS_METHOD_NOT_ALLOWED') return errorResponse(code, { headers: { allow: 'GET, POST, DELETE' } })
    return errorResponse(code)
  }

  #principal(authInfo: AuthInfo | undefined, request: Request): string | undefined {
    const pick = this.#ctx.options.principal
    return pick ? pick({ authInfo, request }) : authInfo?.clientId
  }
}
