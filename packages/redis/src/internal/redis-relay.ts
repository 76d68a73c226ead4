import { randomBytes } from 'node:crypto'
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js'
import { nodeChannel } from './keys.js'
import type { PubSub } from './pubsub.js'
import type { Commands } from './redis.js'

/**
 * Cross-node delivery of a client's answer to a server-initiated request
 * (elicitation, sampling, roots): the session manager rewrites the ids of
 * requests a node sends to `mcps:<nodeId>:<n>`; when the answer lands on
 * another node, that node publishes it on the owner's channel
 * (`mcps:node:<nodeId>`) and the owner hands it to the waiting server.
 * Pub/sub is at-most-once: an answer for a node that is gone is dropped, as
 * is the request that waited for it.
 *
 * @example
 * const relay = new PubSubRelay(commands, pubsub, 'mcps')
 * createSessionManager({ createServer, relay })
 */
export class PubSubRelay {
  /** This node's id: random per process, so a restarted node never receives its predecessor's answers. */
  readonly nodeId: string
  readonly #redis: Commands
  readonly #pubsub: PubSub
  readonly #prefix: string
  #off: (() => void) | undefined
  #retry: ReturnType<typeof setTimeout> | undefined
  #closed = false

  constructor(redis: Commands, pubsub: PubSub, prefix: string, nodeId: string = randomBytes(6).toString('base64url')) {
    this.#redis = redis
    this.#pubsub = pubsub
    this.#prefix = prefix
    this.nodeId = nodeId
  }

  async forward(nodeId: string, sessionId: string, message: JSONRPCMessage): Promise<void> {
    const channel = nodeChannel(this.#prefix, nodeId)
    await this.#redis.call(undefined, ['PUBLISH', channel, JSON.stringify({ s: sessionId, m: message })])
  }

  /**
   * Subscribes to this node's channel. If Redis is away, it keeps trying
   * every second (the returned promise rejects once, for the report) until
   * it succeeds or the relay is closed.
   */
  async listen(deliver: (sessionId: string, message: JSONRPCMessage) => void): Promise<void> {
    this.#off?.()
    this.#off = undefined
    this.#closed = false
    try {
      await this.#subscribe(deliver)
    } catch (error) {
      const retry = () => {
        if (this.#closed) return
        this.#subscribe(deliver).catch(() => {
          this.#retry = setTimeout(retry, 1_000)
          this.#retry.unref()
        })
      }
      this.#retry = setTimeout(retry, 1_000)
      this.#retry.unref()
      throw error
    }
  }

  async #subscribe(deliver: (sessionId: string, message: JSONRPCMessage) => void): Promise<void> {
    const off = await this.#pubsub.subscribe(nodeChannel(this.#prefix, this.nodeId), raw => {
      // A reconnect: answers published meanwhile are lost (at most once), nothing to re-read.
      if (raw === null) return
      let parsed: { s?: unknown; m?: unknown }
      try {
        parsed = JSON.parse(raw) as typeof parsed
      } catch {
        return
      }
      if (typeof parsed.s === 'string' && typeof parsed.m === 'object' && parsed.m !== null) deliver(parsed.s, parsed.m as JSONRPCMessage)
    })
    if (this.#closed) off()
    else this.#off = off
  }

  async close(): Promise<void> {
    this.#closed = true
    clearTimeout(this.#retry)
    this.#off?.()
    this.#off = undefined
  }
}
