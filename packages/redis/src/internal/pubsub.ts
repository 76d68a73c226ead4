import type { RedisConnection } from '../redis-types.js'

/**
 * A channel's listener: a message published on it, or `null` when the
 * subscriber has just reconnected (messages published while it was away are
 * lost: a listener that can re-read what it missed does it then).
 */
export type ChannelListener = (message: string | null) => void

/**
 * One subscriber connection per process, shared by every channel: the stream
 * followers of all sessions and the node's relay channel. node-redis
 * resubscribes by itself after a reconnect, and only then reports the
 * connection ready: every listener hears of it then.
 */
export class PubSub {
  readonly #client: RedisConnection
  readonly #onError: (error: unknown) => void
  readonly #listeners = new Map<string, Set<ChannelListener>>()
  #subscriber: Promise<RedisConnection> | undefined
  #connected: RedisConnection | undefined
  #closed = false

  constructor(client: RedisConnection, onError: (error: unknown) => void) {
    this.#client = client
    this.#onError = onError
  }

  /** Resolves once the channel is subscribed (so nothing published after it is missed). */
  async subscribe(channel: string, listener: ChannelListener): Promise<() => void> {
    let set = this.#listeners.get(channel)
    const first = !set
    if (!set) this.#listeners.set(channel, (set = new Set()))
    set.add(listener)
    const off = () => {
      const current = this.#listeners.get(channel)
      if (!current?.delete(listener) || current.size > 0) return
      this.#listeners.delete(channel)
      void this.#connection().then(sub => sub.unsubscribe(channel)).catch(this.#onError)
    }
    if (first) {
      try {
        const sub = await this.#connection()
        await sub.subscribe(channel, message => {
          for (const fn of this.#listeners.get(channel) ?? []) fn(message)
        })
      } catch (error) {
        off()
        throw error
      }
    }
    return off
  }

  /** True while the subscriber and the command connection are both up: nothing published now is missed. */
  get ready(): boolean {
    return !this.#closed && this.#connected?.isReady === true && this.#client.isReady
  }

  async close(): Promise<void> {
    this.#closed = true
    this.#listeners.clear()
    const sub = await this.#subscriber?.catch(() => undefined)
    if (sub?.isOpen) await sub.close().catch(() => {})
  }

  #reconnected(): void {
    for (const listeners of [...this.#listeners.values()]) {
      for (const fn of [...listeners]) fn(null)
    }
  }

  #connection(): Promise<RedisConnection> {
    if (this.#closed) return Promise.reject(new Error('[mcp-sessions] Failed to subscribe: the Redis backend is closed'))
    if (!this.#subscriber) {
      const sub = this.#client.duplicate() as RedisConnection
      // An unhandled 'error' event would crash the process.
      sub.on('error', this.#onError)
      let connected = false
      // 'ready' (a client) and 'node-ready' (a cluster's node) after a reconnect come once the channels are subscribed again.
      const back = () => {
        if (connected) this.#reconnected()
      }
      sub.on('ready', back)
      sub.on('node-ready', back)
      this.#subscriber = (sub.connect() as Promise<unknown>).then(() => {
        connected = true
        this.#connected = sub
        return sub
      })
      this.#subscriber.catch(() => {
        this.#subscriber = undefined
        sub.off('error', this.#onError)
        sub.off('ready', back)
        sub.off('node-ready', back)
        sub.destroy()
      })
    }
    return this.#subscriber
  }
}
