import { createClient } from '@redis/client'
import { SessionManagerError } from '@mcp-sessions/server'
import { DEFAULT_PREFIX, sessionKey } from './internal/keys.js'
import { PubSub } from './internal/pubsub.js'
import { RedisStreamEventStores } from './internal/redis-event-store.js'
import { PubSubRelay } from './internal/redis-relay.js'
import { Commands, commandTimeout } from './internal/redis.js'
import { Retirements } from './internal/retirements.js'
import { touchSession } from './internal/touch.js'
import type { RedisConnection, RedisEventStoreOptions, RedisSessions } from './redis-types.js'
import { RedisSessionStore, type RedisSessionStoreOptions } from './redis-session-store.js'

/**
 * Options for {@link redisSessions}: a Redis URL (a client is created and
 * owned) or your own connected client/cluster (never closed for you).
 *
 * @example
 * await redisSessions({ url: process.env.REDIS_URL, maxAgeMs: 120_000 })
 */
export interface RedisSessionsOptions extends RedisEventStoreOptions {
  url?: string
  client?: RedisConnection
  /** First part of every key and channel. Default `mcps`. */
  prefix?: string
  /** This node's id for reply routing. Default: random per process. */
  nodeId?: string
  /**
   * A command Redis has not answered within this fails, and the request
   * that waited for it gets 503 with Retry-After (a frozen or overloaded
   * Redis). Default 5_000, as node-redis's own; a client created from `url`
   * leaves the timing to this one deadline instead of a timer per command.
   */
  commandTimeoutMs?: number
  /** Connection and background errors. Default: `console.warn`, at most one line per 10 s. */
  onError?: (error: unknown) => void
}


/**
 * The session store of a backend built by {@link redisSessions}: closing it
 * closes the backend, and a touch also retires the session's finished streams.
 */
class BackendStore extends RedisSessionStore {
  readonly #release: () => Promise<void>
  readonly #commands: Commands
  readonly #retirements: Retirements
  readonly #prefix: string

  constructor(options: RedisSessionStoreOptions & { prefix: string }, commands: Commands, retirements: Retirements, release: () => Promise<void>) {
    super(options)
    this.#prefix = options.prefix
    this.#commands = commands
    this.#retirements = retirements
    this.#release = release
  }

  /** The touch every request on a shared store makes anyway carries the session's finished streams: no command of their own. */
  override async touch(id: string, lastActiveAt: number, ttlMs: number): Promise<boolean> {
    const keys = this.#retirements.take(id)
    return touchSession(this.#commands, sessionKey(this.#prefix, id), lastActiveAt, ttlMs, keys && { keys, ttlMs: this.#retirements.ttlMs })
  }

  override async close(): Promise<void> {
    await this.#release()
  }
}

/**
 * Everything a session manager needs to run on Redis, as manager options:
 * the shared session store, a shared event store per session, and the relay
 * that routes a client's answer to the node that asked. Spread it into
 * `createSessionManager`; `manager.shutdown()` closes it (through the store).
 * Commands fail fast while Redis is away (the manager answers 503 with
 * Retry-After) and the client reconnects by itself.
 *
 * @example
 * const manager = createSessionManager({ createServer, ...(await redisSessions({ url: 'redis://127.0.0.1:6379' })) })
 */
export async function redisSessions(options: RedisSessionsOptions): Promise<RedisSessions> {
  const onError = options.onError ?? throttledWarn()
  const prefix = options.prefix ?? DEFAULT_PREFIX
  const timeoutMs = commandTimeout(options.commandTimeoutMs)
  const { client, owned } = await connection(options, onError)
  const commands = new Commands(client, timeoutMs)
  const pubsub = new PubSub(client, onError)
  const events = new RedisStreamEventStores(commands, pubsub, prefix, options, onError)
  const relay = new PubSubRelay(commands, pubsub, prefix, options.nodeId)
  const release = async () => {
    await events.retirements.flush()
    await relay.close()
    await pubsub.close()
    client.off('error', onError)
    if (owned?.isOpen) await owned.close().catch(() => {})
    else if (owned) owned.destroy()
  }
  return {
    store: new BackendStore({ client, prefix, commandTimeoutMs: timeoutMs }, commands, events.retirements, release),
    eventStore: ({ sessionId }) => events.forSession(sessionId),
    relay
  }
}

/** The caller's client, or one created from `url` (owned: closed with the backend). */
async function connection(options: RedisSessionsOptions, onError: (error: unknown) => void): Promise<{ client: RedisConnection; owned?: RedisConnection }> {
  if (options.client) {
    // An unhandled 'error' event would crash the process.
    options.client.on('error', onError)
    return { client: options.client }
  }
  if (!options.url) {
    throw new SessionManagerError('MCPS_INVALID_OPTIONS', 'Failed to set up Redis sessions: pass `url` or a connected `client`')
  }
  const owned = createClient({
    url: options.url,
    // Fail fast while disconnected: a request gets 503 now rather than hanging until Redis returns.
    disableOfflineQueue: true,
    // Every command's deadline is kept by Commands, with one timer: none per command here (see commandTimeoutMs).
    commandOptions: { timeout: 0 },
    socket: { reconnectStrategy: retries => Math.min(50 * 2 ** Math.min(retries, 6), 2_000) }
  }) as RedisConnection
  owned.on('error', onError)
  // Not awaited for ever: a node may start while Redis is away and serve 503 until it is back.
  await Promise.race([owned.connect().catch(onError), new Promise(resolve => setTimeout(resolve, 2_000).unref())])
  return { client: owned, owned }
}

function throttledWarn(): (error: unknown) => void {
  let last = 0
  return error => {
    const now = Date.now()
    if (now - last < 10_000) return
    last = now
    console.warn(`[mcp-sessions] Redis: ${error instanceof Error ? error.message : String(error)}`)
  }
}
