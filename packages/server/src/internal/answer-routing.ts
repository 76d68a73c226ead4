import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js'
import type { SessionRelay } from '../session-relay.js'
import type { ManagerContext } from './context.js'
import type { LiveSession } from './live-session.js'
import { RequestIds } from './request-ids.js'

/**
 * Multi-node answers to server-initiated requests (elicitation, sampling,
 * roots), with a relay: requests a session's server sends get ids unique
 * across nodes, and a client's answer that belongs to another node goes there
 * through the relay. Without a relay every method is a no-op.
 */
export class AnswerRouting {
  readonly #ctx: ManagerContext
  readonly #relay: SessionRelay | undefined
  readonly #ids: RequestIds | undefined

  constructor(ctx: ManagerContext, sessionOf: (id: string) => LiveSession | undefined) {
    this.#ctx = ctx
    this.#relay = ctx.options.relay
    this.#ids = this.#relay ? new RequestIds(this.#relay.nodeId) : undefined
    if (!this.#relay) return
    const relayed = (sessionId: string, message: JSONRPCMessage) => {
      const session = sessionOf(sessionId)
      const route = this.#ids!.incoming(sessionId, message)
      if (session?.deliver && route.to === 'local') session.deliver(route.message)
    }
    Promise.resolve(this.#relay.listen(relayed))
      .catch(error => ctx.report('MCPS_STORE_FAILED', 'Failed to listen for answers routed to this node', error))
  }

  /** Wraps the session's transport; call after `connect()`, which set the server's handlers. */
  wire(session: LiveSession): void {
    const ids = this.#ids
    const relay = this.#relay
    if (!ids || !relay) return
    const { transport } = session
    const send = transport.send.bind(transport)
    transport.send = (message, options) => send(ids.outgoing(session.id, message), options)
    const inner = transport.onmessage
    session.deliver = message => inner?.call(transport, message)
    transport.onmessage = (message, extra) => {
      const route = ids.incoming(session.id, message)
      if (route.to === 'pass') return inner?.call(transport, message, extra)
      if (route.to === 'local') return inner?.call(transport, route.message, extra)
      if (route.to === 'remote') {
        relay.forward(route.nodeId, session.id, message).catch(error =>
          this.#ctx.report('MCPS_STORE_FAILED', `Failed to route an answer of session "${session.id}" to node "${route.nodeId}"`, error))
      }
    }
  }

  /** The session left this node: its requests can no longer be answered here. */
  release(sessionId: string): void {
    this.#ids?.release(sessionId)
  }

  async close(): Promise<void> {
    try {
      await this.#relay?.close?.()
    } catch (error) {
      this.#ctx.report('MCPS_STORE_FAILED', 'Failed to close the relay', error)
    }
  }
}
