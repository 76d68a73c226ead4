import type { SessionRecord, SessionStore } from '@mcp-sessions/server'
import { DEFAULT_PREFIX, ownerKey, sessionKey } from './internal/keys.js'
import { Commands, commandTimeout } from './internal/redis.js'
import { touchSession, ttl } from './internal/touch.js'
import type { RedisConnection } from './redis-types.js'

/**
 * Options for {@link RedisSessionStore}.
 *
 * @example
 * new RedisSessionStore({ client, prefix: 'myapp' })
 */
export interface RedisSessionStoreOptions {
  /** A connected node-redis client or cluster. The store never closes it. */
  client: RedisConnection
  /** First part of every key. Default `mcps`. */
  prefix?: string
  /** A command Redis has not answered within this fails (a frozen or overloaded Redis; the manager answers 503). Default 5_000. */
  commandTimeoutMs?: number
}

// Creates the hash only if absent, with its TTL, in one step.
const CREATE = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'r', ARGV[1], 't', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1`

/**
 * A {@link SessionStore} in Redis, shared by every node: one hash per session
 * (`mcps:{<id>}:session`, fields `r` = the record as JSON and `t` =
 * lastActiveAt) with a PX TTL, so idle sessions expire in Redis itself, never
 * by a scan. `shared` tells the session manager that other nodes see the same
 * records.
 *
 * @example
 * const client = await createClient({ url: 'redis://127.0.0.1:6379' }).connect()
 * createSessionManager({ createServer, store: new RedisSessionStore({ client }) })
 */
export class RedisSessionStore implements SessionStore {
  readonly shared = true
  readonly #redis: Commands
  readonly #prefix: string

  constructor(options: RedisSessionStoreOptions) {
    this.#redis = new Commands(options.client, commandTimeout(options.commandTimeoutMs))
    this.#prefix = options.prefix ?? DEFAULT_PREFIX
  }

  async create(record: SessionRecord, ttlMs: number): Promise<boolean> {
    const { lastActiveAt, ...rest } = record
    const key = sessionKey(this.#prefix, record.id)
    const created = (await this.#redis.script(CREATE, [key], [JSON.stringify(rest), String(lastActiveAt), String(ttl(ttlMs))])) === 1
    if (created && record.owner !== undefined) {
      // Another slot in a cluster, so a second command: the index is only read when a session is created.
      const owned = ownerKey(this.#prefix, record.owner)
      await this.#redis.call(owned, ['SADD', owned, record.id])
      // @note Expires with the newest member's first TTL: an index outliving every record would only hold stale ids.
      await this.#redis.call(owned, ['PEXPIRE', owned, String(ttl(ttlMs))])
    }
    return created
  }

  /**
   * Live sessions of `owner`, from its index set; ids whose record has
   * expired or was deleted are dropped from the set as they are found.
   */
  /** Looks the owner's records up in batches and stops at `atMost` live ones; forgets the ones that expired. */
  async countOwned(owner: string, atMost = Infinity): Promise<number> {
    const owned = ownerKey(this.#prefix, owner)
    const ids = await this.#redis.call<string[]>(owned, ['SMEMBERS', owned], true)
    const gone: string[] = []
    let alive = 0
    for (let i = 0; i < ids.length && alive < atMost; i += COUNT_BATCH) {
      const batch = ids.slice(i, i + COUNT_BATCH)
      const found = await Promise.all(batch.map(id => {
        const key = sessionKey(this.#prefix, id)
        return this.#redis.call<number>(key, ['EXISTS', key], true)
      }))
      batch.forEach((id, j) => (found[j] === 1 ? alive++ : gone.push(id)))
    }
    if (gone.length) await this.#redis.call(owned, ['SREM', owned, ...gone])
    return alive
  }

  async get(id: string): Promise<SessionRecord | undefined> {
    const key = sessionKey(this.#prefix, id)
    const [json, t] = await this.#redis.call<Array<string | null>>(key, ['HMGET', key, 'r', 't'], true)
    if (json == null || t == null) return undefined
    const parsed = JSON.parse(json) as Omit<SessionRecord, 'lastActiveAt'>
    return { ...parsed, principal: parsed.principal ?? undefined, lastActiveAt: Number(t) }
  }

  async touch(id: string, lastActiveAt: number, ttlMs: number): Promise<boolean> {
    return touchSession(this.#redis, sessionKey(this.#prefix, id), lastActiveAt, ttlMs)
  }

  async delete(id: string): Promise<boolean> {
    const key = sessionKey(this.#prefix, id)
    return (await this.#redis.call<number>(key, ['DEL', key])) === 1
  }

  /** Nothing to release: the client is yours, and stays open. */
  async close(): Promise<void> {}
}

/** Record lookups in flight at once while counting an owner's sessions. */
const COUNT_BATCH = 100
