import type { JSONRPCMessage, RequestId } from '@modelcontextprotocol/sdk/types.js'
import type { LiveSession } from './live-session.js'
import { isResponse } from './messages.js'

/**
 * The client's requests this node's servers are working on, counted from the
 * messages (a request in, its response out), not from HTTP streams: a call
 * whose POST stream a balancer cut keeps running, its parts and result go to
 * the event store for the client that resumed elsewhere, and a graceful
 * shutdown must wait for it.
 */
export class CallsInFlight {
  readonly #pending = new Map<LiveSession, CallIds>()
  readonly #settled: () => void
  #count = 0

  /** `settled`: a call ended (answered, cancelled, or its session left). */
  constructor(settled: () => void) {
    this.#settled = settled
  }

  /** Calls running now, on every session of this node. */
  get count(): number {
    return this.#count
  }

  /** Wraps the session's transport; call after `connect()`, which set the server's handlers. */
  watch(session: LiveSession): void {
    const { transport } = session
    const pending = new CallIds()
    this.#pending.set(session, pending)
    const inner = transport.onmessage
    transport.onmessage = (message, extra) => {
      if (isRequest(message) && !pending.has(message.id)) {
        pending.add(message.id)
        this.#count++
      } else if (isCancellation(message)) {
        // The SDK answers nothing to a request the client cancelled.
        this.#settle(pending, message.params.requestId)
      }
      return inner?.call(transport, message, extra)
    }
    const send = transport.send.bind(transport)
    transport.send = (message, options) => {
      if (isResponse(message)) this.#settle(pending, message.id)
      return send(message, options)
    }
  }

  /** The session left this node: nothing it was working on will be answered here. */
  release(session: LiveSession): void {
    const pending = this.#pending.get(session)
    if (!pending) return
    this.#pending.delete(session)
    this.#count -= pending.size
    if (pending.size) this.#settled()
  }

  #settle(pending: CallIds, id: RequestId | undefined): void {
    if (id === undefined || !pending.delete(id)) return
    this.#count--
    this.#settled()
  }
}

/**
 * The ids of one session's calls in flight, nearly always none or one: kept
 * in a field, with a Set only for more. A Set emptied after every call
 * reallocates its table, which then lives (and is promoted by the garbage
 * collector) until the session's next call.
 */
class CallIds {
  #one: RequestId | undefined
  #more: Set<RequestId> | undefined

  get size(): number {
    return (this.#one === undefined ? 0 : 1) + (this.#more?.size ?? 0)
  }

  has(id: RequestId): boolean {
    return this.#one === id || (this.#more?.has(id) ?? false)
  }

  add(id: RequestId): void {
    if (this.#one === undefined) this.#one = id
    else (this.#more ??= new Set()).add(id)
  }

  delete(id: RequestId): boolean {
    if (this.#one !== id) return this.#more?.delete(id) ?? false
    this.#one = undefined
    return true
  }
}

const isRequest = (m: JSONRPCMessage): m is JSONRPCMessage & { id: RequestId; method: string } => 'method' in m && 'id' in m
const isCancellation = (m: JSONRPCMessage): m is JSONRPCMessage & { params: { requestId?: RequestId } } =>
  'method' in m && m.method === 'notifications/cancelled' && !('id' in m)
