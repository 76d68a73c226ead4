import { createClient } from '@redis/client'
import { DEFAULT_PREFIX } from './internal/keys.js'
import { PubSub } from './internal/pubsub.js'
import { Commands, type RedisConnection } from './internal/redis.js'
import { RedisEventStores, type RedisEventStore, type RedisEventStoreOptions } from './redis-event-store.js'
import { RedisRelay } from './redis-relay.js'
import { RedisSessionStore } from './redis-session-store.js'

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
  /** Connection and background errors. Default: `console.warn`, at most one line per 10 s. */
  onError?: (error: unknown) => void
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
export async function redisSessions(options: RedisSessionsOptions) {
  const onError = options.onError ?? throttledWarn()
  const prefix = options.prefix ?? DEFAULT_PREFIX
  let owned: RedisConnection | undefined
  let client = options.client
  if (!client) {
    if (!options.url) throw Object.assign(new Error('[mcp-sessions] Failed to set up Redis sessions: pass `url` or a connected `client`'), { code: 'MCPS_INVALID_OPTIONS' })
    owned = createClient({
      url: options.url,
      // Fail fast while disconnected: a request gets 503 now rather than hanging until Redis returns.
      disableOfflineQueue: true,
      socket: { reconnectStrategy: retries => Math.min(50 * 2 ** Math.min(retries, 6), 2_000) }
    }) as RedisConnection
    client = owned
  }
  // An unhandled 'error' event would crash the process.
  client.on('error', onError)
  if (owned) {
    // Not awaited for ever: a node may start while Redis is away and serve 503 until it is back.
    await Promise.race([owned.connect().catch(onError), new Promise(resolve => setTimeout(resolve, 2_000).unref())])
  }
  const commands = new Commands(client)
  const pubsub = new PubSub(client, onError)
  const events = new RedisEventStores(commands, pubsub, prefix, options, onError)
  const relay = new RedisRelay(commands, pubsub, prefix, options.nodeId)
  const store = new RedisSessionStore({ client, prefix })
  const close = async () => {
    await relay.close()
    await pubsub.close()
    client!.off('error', onError)
    if (owned?.isOpen) await owned.close().catch(() => {})
    else if (owned) owned.destroy()
  }
  Object.defineProperty(store, 'close', { value: close })
  return {
    store: store as RedisSessionStore & { close(): Promise<void> },
    eventStore: ({ sessionId }: { sessionId: string }): RedisEventStore => events.forSession(sessionId),
    relay
  }
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
