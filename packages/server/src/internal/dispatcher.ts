import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js'
import { SUPPORTED_PROTOCOL_VERSIONS } from '@modelcontextprotocol/sdk/types.js'
import type { CloseReason } from '../options.js'
import { AnswerRouting } from './answer-routing.js'
import { parsedBody, type BodyOutcome } from './body-reader.js'
import type { ManagerContext } from './context.js'
import { Heartbeat } from './heartbeat.js'
import type { LiveSession } from './live-session.js'
import { stateFromInitialize } from './messages.js'
import { SessionRegistry } from './registry.js'
import { routeBody, routeHead, type Refusal } from './router.js'
import { BuildFailed, SessionFactory, type Caller } from './session-factory.js'
import { newSessionId } from './session-id.js'
import { SessionLoader } from './session-loader.js'
import { SessionStreams } from './streams/session-streams.js'
import type { Answer } from './streams/tracked-stream.js'
import { errorResponse } from './wire.js'

/** One request as an entry point hands it over: the body not read yet, or parsed by a framework. */
export interface Incoming {
  request: Request
  authInfo: AuthInfo | undefined
  body: { parsed: unknown } | { read: (limit: number, timeoutMs: number) => Promise<BodyOutcome> | BodyOutcome }
  /** The client's network address: the quota key of a caller without a principal. */
  address?: string
}

/**
 * The web-standard core of one manager: refuses what the request head
 * already shows, looks the session up, reads the body only then (within the
 * limit that applies), and carries the request out. Builds and wires the
 * parts; each owns its state.
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
      this.#streams.release(session)
      await this.#factory.dispose(session)
    })
    this.#loader = new SessionLoader(ctx, this.#registry, this.#factory, session => this.#wire(session))
    this.#streams = new SessionStreams(ctx, this.#registry)
  }

  get size(): number {
    return this.#registry.size
  }

  async handle(incoming: Incoming): Promise<Answer> {
    if (this.#shutdown) return errorResponse('MCPS_SHUTTING_DOWN')
    const { request, authInfo } = incoming
    const head = routeHead(request, this.#ctx.settings)
    if ('refuse' in head) return this.#refuse(head)
    const principal = this.#principal(authInfo, request)
    const owner = principal !== undefined ? `p:${principal}` : `a:${incoming.address ?? ''}`
    const caller: Caller = { principal, owner, authInfo, request }
    if (head.action === 'initialize') {
      const body = await this.#body(incoming, head.limit)
      if (!body.ok) return this.#bodyRefused(body)
      const routed = routeBody(body.body, false)
      return routed === 'create' ? this.#create(caller, body.body) : this.#refuse(routed as Refusal)
    }
    const loaded = this.#load(head.sessionId, caller)
    const session = loaded instanceof Promise ? await loaded : loaded
    if (session instanceof Response) return session
    if (!session) return errorResponse('MCPS_SESSION_NOT_FOUND')
    if (head.action === 'get') return this.#streams.open(session, request, authInfo)
    if (head.action === 'delete') {
      await this.#registry.end(session.id, 'delete')
      return new Response(null, { status: 200 })
    }
    const body = await this.#body(incoming, head.limit)
    if (!body.ok) return this.#bodyRefused(body)
    const routed = routeBody(body.body, true)
    return routed === 'post' ? this.#streams.forward(session, request, authInfo, body.body) : this.#refuse(routed as Refusal)
  }

  close(sessionId: string, reason: CloseReason): Promise<boolean> {
    return this.#registry.end(sessionId, reason)
  }

  /**
   * Refuses new requests, ends GET streams, lets requests in flight finish
   * for up to `graceMs`, then ends every session here (with a shared store:
   * releases them, they live on for the other nodes).
   */
  async shutdown(graceMs: number): Promise<void> {
    if (this.#shutdown) return
    this.#shutdown = true
    await this.#streams.drain(this.#ctx.clock.now() + graceMs)
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

  async #create(caller: Caller, body: unknown): Promise<Answer> {
    const { store, settings, report } = this.#ctx
    // Decided before anything is built: a refused initialize has no side effect.
    const full = await this.#admissible(caller.owner)
    if (full) return full
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
      if (!(await store.create({ id, state, principal, createdAt, lastActiveAt: createdAt, owner: caller.owner }, settings.storeTtlMs))) {
        throw new Error(`the store already holds a session "${id}"`)
      }
    } catch (error) {
      report('MCPS_STORE_FAILED', 'Failed to create a session: could not save the record', error)
      await this.#factory.dispose(session)
      return errorResponse('MCPS_STORE_FAILED')
    }
    this.#wire(session)
    const refused = this.#registry.add(session, 'new')
    if (refused) {
      // Every candidate became busy while this one was built: nothing of it stays.
      this.#streams.release(session)
      await this.#factory.dispose(session)
      await store.delete(id).catch(error => report('MCPS_STORE_FAILED', `Failed to delete session "${id}" from the store`, error))
      return errorResponse(refused)
    }
    const response = await this.#streams.forward(session, caller.request, caller.authInfo, body)
    if (session.transport.sessionId !== id) {
      // The SDK refused the initialize after all: nobody learned the id.
      await this.#registry.end(id, 'closed')
      return response
    }
    session.announced = true
    this.#ctx.hook('onSessionCreated', { id, principal, state, createdAt })
    return response
  }

  /**
   * This node's room (quota and capacity, see the registry); with a shared
   * store that counts sessions across nodes, the caller's quota there too:
   * sessions elsewhere may be busy, so at the quota it is 429, not an eviction.
   */
  async #admissible(owner: string): Promise<Response | undefined> {
    const local = this.#registry.admissible(owner)
    if (local) return errorResponse(local)
    const { shared, store, settings } = this.#ctx
    const quota = settings.maxSessionsPerPrincipal
    if (!shared || !store.countOwned || quota === Infinity) return undefined
    try {
      if (await store.countOwned(owner, quota) >= quota) return errorResponse('MCPS_TOO_MANY_SESSIONS')
    } catch (error) {
      this.#ctx.report('MCPS_STORE_FAILED', 'Failed to count the sessions of a caller', error)
      return errorResponse('MCPS_STORE_FAILED')
    }
    return undefined
  }

  /** What a built session gets before it serves: answer routing and the count of its calls. */
  #wire(session: LiveSession): void {
    this.#routing.wire(session)
    this.#streams.watch(session)
  }

  #body(incoming: Incoming, limit: number): Promise<BodyOutcome> | BodyOutcome {
    if ('parsed' in incoming.body) return parsedBody(incoming.body.parsed)
    return incoming.body.read(limit, this.#ctx.settings.bodyTimeoutMs)
  }

  #bodyRefused(outcome: Exclude<BodyOutcome, { ok: true }>): Response {
    // The client is gone: the answer reaches nobody, and it is not a failure of ours.
    if ('aborted' in outcome) return errorResponse('MCPS_BODY_INCOMPLETE')
    return this.#refuse({ refuse: outcome.code, detail: outcome.detail })
  }

  /**
   * {@link SessionLoader.load}, with its failures answered: 500 when createServer threw, else see {@link #storeDown}.
   * Synchronous when the loader is (a local session of an unshared store).
   */
  #load(id: string, caller: Caller): LiveSession | Response | undefined | Promise<LiveSession | Response | undefined> {
    try {
      const loaded = this.#loader.load(id, caller)
      return loaded instanceof Promise ? loaded.catch(error => this.#loadFailed(error, id, caller)) : loaded
    } catch (error) {
      return this.#loadFailed(error, id, caller)
    }
  }

  #loadFailed(error: unknown, id: string, caller: Caller): Response {
    if (error instanceof BuildFailed) return this.#buildFailed(error)
    this.#ctx.report('MCPS_STORE_FAILED', `Failed to load session "${id}" from the store`, error)
    return this.#storeDown(id, caller)
  }

  /**
   * The store did not answer: 503 + Retry-After, except a GET resume, which is
   * answered as a poll ({@link SessionStreams.poll}) so its client keeps
   * listening. On a node that does not hold the session the record cannot be
   * read, so the poll is answered without knowing whether the session exists
   * or is the caller's: safe, because it carries only what the client sent
   * (its session id and cursor), and the resume after the outage is checked
   * in full (an unknown or foreign session gets its 404 then).
   */
  #storeDown(id: string, caller: Caller): Response {
    const { request } = caller
    if (request.method !== 'GET') return errorResponse('MCPS_STORE_FAILED')
    const version = this.#registry.get(id)?.state.protocolVersion ?? request.headers.get('mcp-protocol-version')
    return this.#streams.poll(id, version, request)
  }

  #buildFailed(error: unknown): Response {
    const failure = error instanceof BuildFailed ? error : new BuildFailed('MCPS_STORE_FAILED', 'Failed to create a session', error)
    this.#ctx.report(failure.code, failure.message, failure.cause)
    return errorResponse(failure.code)
  }

  #refuse({ refuse, detail }: Refusal): Response {
    return errorResponse(refuse, { detail, headers: refuse === 'MCPS_METHOD_NOT_ALLOWED' ? { allow: 'GET, POST, DELETE' } : undefined })
  }

  #principal(authInfo: AuthInfo | undefined, request: Request): string | undefined {
    const pick = this.#ctx.options.principal
    return pick ? pick({ authInfo, request }) : authInfo?.clientId
  }
}
