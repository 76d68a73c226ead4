import { createHash } from 'node:crypto'
import { SessionManagerError } from '@mcp-sessions/server'
import type { RedisClientType, RedisClusterType } from '@redis/client'
import type { RedisConnection } from '../redis-types.js'
import { Deadlines } from './deadlines.js'

/** A RESP reply as node-redis returns it for raw commands (RESP2). */
export type Reply = string | number | null | Reply[]

/** How long a command may wait for its answer by default (node-redis's own default). */
export const COMMAND_TIMEOUT_MS = 5_000

/** A `commandTimeoutMs` option, checked. */
export function commandTimeout(ms: number | undefined): number {
  if (ms === undefined) return COMMAND_TIMEOUT_MS
  if (!(ms > 0 && ms <= MAX_TIMEOUT_MS)) {
    throw new SessionManagerError('MCPS_INVALID_OPTIONS', `Failed to set up Redis sessions: commandTimeoutMs must be a number of milliseconds from 1 to ${MAX_TIMEOUT_MS}, got ${String(ms)}`)
  }
  return ms
}

// setTimeout's limit: a longer delay fires at once.
const MAX_TIMEOUT_MS = 2 ** 31 - 1

/**
 * Raw commands on a client or a cluster. In a cluster, `key` picks the shard;
 * every key one call touches shares the session's hash tag, so one shard answers.
 * A call not answered within `timeoutMs` fails (a frozen or overloaded Redis).
 */
export class Commands {
  readonly #connection: RedisConnection
  readonly #cluster: boolean
  readonly #shas = new Map<string, string>()
  readonly #deadlines: Deadlines
  /** Characters of the arguments of commands sent and not answered yet. */
  #pending = 0

  constructor(connection: RedisConnection, timeoutMs = COMMAND_TIMEOUT_MS) {
    this.#connection = connection
    this.#cluster = 'masters' in connection
    this.#deadlines = new Deadlines(timeoutMs)
  }

  call<T extends Reply = Reply>(key: string | undefined, args: string[], readonly = false): Promise<T> {
    let size = 0
    for (const arg of args) size += arg.length
    this.#pending += size
    const reply = this.#cluster
      ? (this.#connection as RedisClusterType).sendCommand(key, readonly, args) as Promise<T>
      : (this.#connection as RedisClientType).sendCommand(args) as Promise<T>
    return new Promise<T>((resolve, reject) => {
      const waiting = this.#deadlines.add(reject)
      reply.then(value => {
        this.#pending -= size
        this.#deadlines.settle(waiting)
        resolve(value)
      }, error => {
        this.#pending -= size
        this.#deadlines.settle(waiting)
        reject(error)
      })
    })
  }

  /** More than {@link BACKLOG} characters sent and not answered: Redis is behind this node. */
  get behind(): boolean {
    return this.#pending > BACKLOG
  }

  /** EVALSHA, loading the script once per process (EVAL on NOSCRIPT: a restarted or new shard). */
  async script<T extends Reply = Reply>(source: string, keys: string[], args: string[]): Promise<T> {
    let sha = this.#shas.get(source)
    if (!sha) {
      sha = createHash('sha1').update(source).digest('hex')
      this.#shas.set(source, sha)
    }
    const tail = [String(keys.length), ...keys, ...args]
    try {
      return await this.call<T>(keys[0], ['EVALSHA', sha, ...tail])
    } catch (error) {
      if (!String((error as Error)?.message).includes('NOSCRIPT')) throw error
      return this.call<T>(keys[0], ['EVAL', source, ...tail])
    }
  }
}

/**
 * Beyond this much unanswered (1 Mi characters) the session manager checks
 * the store on every request again: each request then waits its turn behind
 * the writes before it, so a client cannot pile up large answers in this
 * node's memory faster than Redis takes them.
 */
const BACKLOG = 1 << 20

/** Compares two stream entry ids (`<ms>-<seq>`); NaN-safe callers validate first. */
export function compareEntryIds(a: string, b: string): number {
  const [am, as] = splitEntryId(a)!
  const [bm, bs] = splitEntryId(b)!
  if (am !== bm) return am < bm ? -1 : 1
  return as === bs ? 0 : as < bs ? -1 : 1
}

const ENTRY_ID = /^(\d{1,20})-(\d{1,20})$/

export function splitEntryId(id: string): [bigint, bigint] | undefined {
  const m = ENTRY_ID.exec(id)
  return m ? [BigInt(m[1]!), BigInt(m[2]!)] : undefined
}
