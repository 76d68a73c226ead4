import type { JSONRPCMessage, RequestId } from '@modelcontextprotocol/sdk/types.js'

const PREFIX = 'mcps:'

interface Outgoing {
  sessionId: string
  original: RequestId
}

/**
 * Server-to-client request ids, unique across nodes: a request a session's
 * server sends gets the id `mcps:<nodeId>:<n>` on the wire; the client's answer
 * is mapped back to the original id before the server sees it. An answer
 * whose id names another node is for that node (see `SessionRelay`).
 */
export class RequestIds {
  readonly #nodeId: string
  readonly #pending = new Map<string, Outgoing>()
  /** Per session: original id -> wire id, for `notifications/cancelled`. */
  readonly #bySession = new Map<string, Map<RequestId, string>>()
  #next = 0

  constructor(nodeId: string) {
    this.#nodeId = nodeId
  }

  /** The message as it goes on the wire. */
  outgoing(sessionId: string, message: JSONRPCMessage): JSONRPCMessage {
    if ('method' in message && 'id' in message) {
      const wire = `${PREFIX}${this.#nodeId}:${++this.#next}`
      this.#pending.set(wire, { sessionId, original: message.id })
      let own = this.#bySession.get(sessionId)
      if (!own) this.#bySession.set(sessionId, (own = new Map()))
      own.set(message.id, wire)
      return { ...message, id: wire }
    }
    if ('method' in message && message.method === 'notifications/cancelled') {
      const params = message.params as { requestId?: RequestId } | undefined
      const wire = params?.requestId === undefined ? undefined : this.#bySession.get(sessionId)?.get(params.requestId)
      if (wire !== undefined) {
        this.#forget(wire)
        return { ...message, params: { ...params, requestId: wire } }
      }
    }
    return message
  }

  /**
   * Where a client's answer goes: `local` with the original id restored,
   * `remote` with the owning node, or `pass` (not one of our wire ids).
   * An answer for an unknown or already answered id is `drop`.
   */
  incoming(sessionId: string, message: JSONRPCMessage): { to: 'local'; message: JSONRPCMessage } | { to: 'remote'; nodeId: string } | { to: 'pass' } | { to: 'drop' } {
    if ('method' in message || !('id' in message) || typeof message.id !== 'string' || !message.id.startsWith(PREFIX)) return { to: 'pass' }
    const nodeId = message.id.slice(PREFIX.length, message.id.indexOf(':', PREFIX.length))
    if (nodeId !== this.#nodeId) return nodeId ? { to: 'remote', nodeId } : { to: 'drop' }
    const entry = this.#pending.get(message.id)
    if (!entry || entry.sessionId !== sessionId) return { to: 'drop' }
    this.#forget(message.id)
    return { to: 'local', message: { ...message, id: entry.original } as JSONRPCMessage }
  }

  /** The session left this node: its requests can no longer be answered here. */
  release(sessionId: string): void {
    for (const wire of this.#bySession.get(sessionId)?.values() ?? []) this.#pending.delete(wire)
    this.#bySession.delete(sessionId)
  }

  #forget(wire: string): void {
    const entry = this.#pending.get(wire)
    if (!entry) return
    this.#pending.delete(wire)
    const own = this.#bySession.get(entry.sessionId)
    own?.delete(entry.original)
    if (own?.size === 0) this.#bySession.delete(entry.sessionId)
  }
}
