import { randomBytes } from 'node:crypto'
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js'
import { endsChannel, nodeChannel } from './keys.js'
import type { ChannelListener, PubSub } from './pubsub.js'
import type { Commands } from './redis.js'

/**
 * Cross-node delivery of a client's answer to a server-initiated request
 * (elicitation, sampling, roots): the session manager rewrites the ids of
 * requests a node sends to `mcps:<nodeId>:<n>`; when the answer lands on
 * another node, that node publishes it on the owner's channel
 * (`mcps:node:<nodeId>`) and the owner hands it to the waiting server.
 * Pub/sub is at-most-once: an answer for a node that is gone is dropped, as
 * is the request that waited for it. Session ends go to every node on one
 * channel (`mcps:ended`, the session id): a node releases its copy when it
 * hears one, and one it missed is caught by its next store check (<= 1 s).
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
  #answers: Subscription | undefined
  #ends: Subscription | undefined

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

  /** Publishes the end of `sessionId` to every node (itself included). */
  async announceEnd(sessionId: string): Promise<void> {
    await this.#redis.call(undefined, ['PUBLISH', endsChannel(this.#prefix), sessionId])
  }

  /**
   * Subscribes to this node's channel. If Redis is away, it keeps trying
   * every second (the returned promise rejects once, for the report) until
   * it succeeds or the relay is closed.
   */
  async listen(deliver: (sessionId: string, message: JSONRPCMessage) => void): Promise<void> {
    this.#answers?.cancel()
    const answers = this.#answers = new Subscription(this.#pubsub, nodeChannel(this.#prefix, this.nodeId), raw => {
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
    const first = answers.start()
    // The report, once; the retries go on.
    first.catch(() => {})
    await Promise.race([first, answers.failedOnce])
  }

  /**
   * True while this node hears every end announced (subscribed, Redis
   * reachable) and Redis keeps up with it: a backed-up connection makes the
   * manager check the store on every request, which paces requests behind
   * the writes before them.
   */
  get hearsEnds(): boolean {
    return this.#ends?.subscribed === true && this.#pubsub.ready && !this.#redis.behind
  }

  /**
   * Subscribes to the channel of session ends; `ended(undefined)` after the
   * subscriber reconnected (what was announced meanwhile is lost). Resolves once subscribed: if
   * Redis is away it keeps trying every second until then (the manager
   * checks the store on every request meanwhile), and rejects only when the
   * relay is closed first.
   */
  async listenEnds(ended: (sessionId: string | undefined) => void): Promise<void> {
    this.#ends?.cancel()
    // A reconnect: ends announced meanwhile are lost, so every session is to be checked again.
    this.#ends = new Subscription(this.#pubsub, endsChannel(this.#prefix), raw => ended(raw ?? undefined))
    await this.#ends.start()
  }

  async close(): Promise<void> {
    this.#answers?.cancel()
    this.#ends?.cancel()
    this.#answers = this.#ends = undefined
  }
}

/**
 * One channel subscribed on the shared subscriber, retried every second
 * while Redis is away, until it succeeds or is cancelled.
 */
class Subscription {
  readonly #pubsub: PubSub
  readonly #channel: string
  readonly #listener: ChannelListener
  #off: (() => void) | undefined
  #retry: ReturnType<typeof setTimeout> | undefined
  #cancelled = false
  /** Once the first subscribe succeeded (the shared subscriber resubscribes by itself after a reconnect). */
  subscribed = false
  #failed!: (error: unknown) => void
  /** Rejects with the first failure (the caller's report); the retries go on. */
  readonly failedOnce = new Promise<never>((_, reject) => (this.#failed = reject))

  constructor(pubsub: PubSub, channel: string, listener: ChannelListener) {
    this.#pubsub = pubsub
    this.#channel = channel
    this.#listener = listener
    this.failedOnce.catch(() => {})
  }

  /** Resolves once subscribed; rejects when cancelled before. */
  start(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const attempt = () => {
        if (this.#cancelled) return reject(new Error(`[mcp-sessions] Failed to subscribe to "${this.#channel}": the relay is closed`))
        this.#pubsub.subscribe(this.#channel, this.#listener).then(off => {
          if (this.#cancelled) {
            off()
            return reject(new Error(`[mcp-sessions] Failed to subscribe to "${this.#channel}": the relay is closed`))
          }
          this.#off = off
          this.subscribed = true
          resolve()
        }, error => {
          this.#failed(error)
          this.#retry = setTimeout(attempt, 1_000)
          this.#retry.unref()
        })
      }
      attempt()
    })
  }

  cancel(): void {
    this.#cancelled = true
    this.subscribed = false
    clearTimeout(this.#retry)
    this.#off?.()
    this.#off = undefined
  }
}
