import type { Commands } from './redis.js'
import type { Retirements } from './retirements.js'

/** One event of a request stream on its way to Redis, under the id its node gave it. */
export interface QueuedEvent {
  /** The session: every key of one shares its hash slot, so one script can write them in a cluster. */
  sessionId: string
  key: string
  entry: string
  json: string
  /** Set when a caller waits for this event to land (the send fails with it); unset once it went out unstored. */
  waiter?: { resolve: () => void; reject: (error: unknown) => void }
}

export interface EventWriterOptions {
  maxEvents: number
  maxAgeMs: number
  /** Finished streams waiting for their short TTL: a batch takes those of its sessions along. */
  retirements: Retirements
  onError: (error: unknown) => void
}

// Appends each event under the id its node chose, in order, skipping one already written (a retry of a batch whose
// answer was lost), then trims each stream by age (MINID from Redis' own clock), keeps it for the grace period and
// wakes its followers once. Each entry records its predecessor (field p), so a reader can tell whether the entries
// just before the oldest retained one were trimmed. KEYS: the streams written (1..ARGV[4]), then finished streams
// of the same sessions, whose TTL is cut to ARGV[3] (never lengthened). ARGV after the fourth: one triple per event,
// its stream's index in KEYS, its entry id and the message.
const WRITE = `
local function newer(a, b)
  local am, as = string.match(a, '^(%d+)-(%d+)$')
  local bm, bs = string.match(b, '^(%d+)-(%d+)$')
  am, as, bm, bs = tonumber(am), tonumber(as), tonumber(bm), tonumber(bs)
  return am > bm or (am == bm and as > bs)
end
local n = tonumber(ARGV[4])
local last = {}
for i = 5, #ARGV, 3 do
  local k = tonumber(ARGV[i])
  local prev = last[k]
  if not prev then
    local top = redis.call('XREVRANGE', KEYS[k], '+', '-', 'COUNT', 1)[1]
    prev = top and top[1] or '0-0'
  end
  if newer(ARGV[i + 1], prev) then
    redis.call('XADD', KEYS[k], 'MAXLEN', ARGV[1], ARGV[i + 1], 'm', ARGV[i + 2], 'p', prev)
    prev = ARGV[i + 1]
  end
  last[k] = prev
end
local t = redis.call('TIME')
local oldest = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) - tonumber(ARGV[2])
for k = 1, n do
  if oldest > 0 then redis.call('XTRIM', KEYS[k], 'MINID', string.format('%d', oldest)) end
  redis.call('PEXPIRE', KEYS[k], ARGV[2])
  redis.call('PUBLISH', KEYS[k], last[k])
end
for i = n + 1, #KEYS do redis.call('PEXPIRE', KEYS[i], ARGV[3], 'LT') end
return n`

/** After a failed batch: the first retry waits this long, each next one twice as long, up to RETRY_MAX_MS. */
const RETRY_MS = 100
const RETRY_MAX_MS = 2_000

/**
 * Writes the events of request streams behind their answers: the node names
 * each event's entry id itself, so the SDK writes the event to the client at
 * once, and the writes of one turn of the event loop go out together (one
 * script per session in a cluster, one in all on a single Redis), one batch
 * at a time, in order. A batch that fails is tried again, with what came
 * meanwhile, until it lands or its events are older than the grace period.
 * While one has failed, `healthy` is false and the event store waits for
 * each new event to land (its send fails with the write, as without this writer).
 *
 * @example
 * const writer = new EventWriter(commands, { maxEvents: 1000, maxAgeMs: 300_000, finishedTtlMs: 30_000, onError })
 * writer.add({ sessionId, key, entry, json })   // returns at once
 * await writer.landed(key)                      // read-your-writes on this node
 */
export class EventWriter {
  readonly #redis: Commands
  readonly #options: EventWriterOptions
  #queue: QueuedEvent[] = []
  #queuedSize = 0
  /** Keys whose events are queued or in flight, and the batch that settles them. */
  readonly #unsettled = new Map<string, Batch>()
  /** Finished streams to retire with the next batch (after their own last write). */
  #retiring: Array<{ sessionId: string; key: string }> = []
  #next = new Batch()
  #inFlight: Batch | undefined
  #scheduled: ReturnType<typeof setImmediate> | undefined
  #retryMs = 0
  #retryTimer: ReturnType<typeof setTimeout> | undefined
  /** When the oldest event still queued after a failure was first sent. */
  #failingSince: number | undefined

  constructor(redis: Commands, options: EventWriterOptions) {
    this.#redis = redis
    this.#options = options
  }

  /** No batch has failed since the last one landed. */
  get healthy(): boolean {
    return this.#failingSince === undefined
  }

  /** Characters of messages queued and not yet sent (those sent count in `Commands.behind`). */
  get queuedSize(): number {
    return this.#queuedSize
  }

  /** Queues `event` for the next batch. With a `waiter`, the batch's outcome settles it. */
  add(event: QueuedEvent): void {
    this.#queue.push(event)
    this.#queuedSize += event.json.length
    this.#redis.hold(event.json.length)
    this.#unsettled.set(event.key, this.#next)
    this.#schedule()
  }

  /** Cuts `key`'s TTL to the finished-stream TTL once its queued events have landed. */
  retire(sessionId: string, key: string): void {
    this.#retiring.push({ sessionId, key })
    this.#unsettled.set(key, this.#next)
    this.#schedule()
  }

  /** Settles once every event queued so far was tried (landed or failed); `undefined` when none is queued or in flight. */
  written(): Promise<void> | undefined {
    if (this.#queue.length > 0) return this.#next.done
    return this.#inFlight?.done
  }

  /** Settles once `key`'s events queued so far were tried (landed or failed); `undefined` when none are pending. */
  landed(key: string): Promise<void> | undefined {
    return this.#unsettled.get(key)?.done
  }

  /** Waits until nothing is queued or in flight, for at most `ms` (a graceful stop). */
  async drain(ms: number): Promise<void> {
    const until = Date.now() + ms
    while (this.#unsettled.size > 0 && Date.now() < until) {
      if (this.#retryTimer) {
        clearTimeout(this.#retryTimer)
        this.#retryTimer = undefined
        void this.#flush()
      }
      await new Promise(resolve => setTimeout(resolve, 10))
    }
  }

  #schedule(): void {
    if (this.#inFlight || this.#scheduled || this.#retryTimer) return
    // One batch per turn: everything a call's stream produced in this turn goes out with it.
    this.#scheduled = setImmediate(() => {
      this.#scheduled = undefined
      void this.#flush()
    })
  }

  async #flush(): Promise<void> {
    if (this.#inFlight || (this.#queue.length === 0 && this.#retiring.length === 0)) return
    const events = this.#queue
    const retiring = this.#retiring
    const batch = this.#next
    this.#inFlight = batch
    this.#queue = []
    // From here the batch's commands count themselves in Commands.behind.
    this.#redis.hold(-this.#queuedSize)
    this.#queuedSize = 0
    for (const event of events) {
      // The session's other finished streams ride along, as with every write of the session.
      const keys = this.#options.retirements.take(event.sessionId)
      if (keys) for (const key of keys) retiring.push({ sessionId: event.sessionId, key })
    }
    this.#retiring = []
    this.#next = new Batch()
    let failed: unknown
    try {
      await Promise.all(this.#groups(events, retiring).map(group => this.#write(group.events, group.retiring)))
    } catch (error) {
      failed = error
    }
    this.#inFlight = undefined
    if (failed === undefined) this.#landed(events, batch)
    else this.#failed(events, retiring, batch, failed)
    batch.settle()
    if (this.#queue.length > 0 || this.#retiring.length > 0) {
      if (failed === undefined) void this.#flush()
      else this.#retryLater()
    }
  }

  /** One script per session in a cluster (a script's keys share one slot), one for everything on a single Redis. */
  #groups(events: QueuedEvent[], retiring: Array<{ sessionId: string; key: string }>): Array<{ events: QueuedEvent[]; retiring: string[] }> {
    if (!this.#redis.cluster) return [{ events, retiring: retiring.map(r => r.key) }]
    const bySession = new Map<string, { events: QueuedEvent[]; retiring: string[] }>()
    const group = (sessionId: string) => {
      let g = bySession.get(sessionId)
      if (!g) bySession.set(sessionId, (g = { events: [], retiring: [] }))
      return g
    }
    for (const event of events) group(event.sessionId).events.push(event)
    for (const r of retiring) group(r.sessionId).retiring.push(r.key)
    return [...bySession.values()]
  }

  #write(events: QueuedEvent[], retiring: string[]): Promise<unknown> {
    const { maxEvents, maxAgeMs } = this.#options
    const finishedTtlMs = this.#options.retirements.ttlMs
    const keys: string[] = []
    const index = new Map<string, number>()
    const triples: string[] = []
    for (const event of events) {
      let k = index.get(event.key)
      if (k === undefined) {
        keys.push(event.key)
        index.set(event.key, (k = keys.length))
      }
      triples.push(String(k), event.entry, event.json)
    }
    const streams = keys.length
    if (streams === 0 && retiring.length === 0) return Promise.resolve()
    keys.push(...retiring)
    return this.#redis.script(WRITE, keys, [String(maxEvents), String(maxAgeMs), String(finishedTtlMs), String(streams), ...triples])
  }

  #landed(events: QueuedEvent[], batch: Batch): void {
    this.#failingSince = undefined
    this.#retryMs = 0
    for (const event of events) event.waiter?.resolve()
    for (const [key, b] of this.#unsettled) if (b === batch) this.#unsettled.delete(key)
  }

  /**
   * Events someone waits for fail with the batch (their sends fail: nothing was written for them); those already
   * sent to a client go back to the front of the queue, unless they are older than the grace period.
   */
  #failed(events: QueuedEvent[], retiring: Array<{ sessionId: string; key: string }>, batch: Batch, error: unknown): void {
    const now = Date.now()
    this.#failingSince ??= now
    this.#options.onError(error)
    const kept: QueuedEvent[] = []
    for (const event of events) {
      if (event.waiter) event.waiter.reject(error)
      else kept.push(event)
    }
    if (now - this.#failingSince > this.#options.maxAgeMs) {
      // Past the grace period a resume could not use them: give them up, and say so.
      this.#options.onError(new Error(`[mcp-sessions] Failed to store ${kept.length} events on Redis within the grace period; a client resuming their streams misses them`))
      kept.length = 0
      this.#failingSince = now
    }
    this.#queue = [...kept, ...this.#queue]
    for (const event of kept) {
      this.#queuedSize += event.json.length
      this.#redis.hold(event.json.length)
    }
    this.#retiring = [...retiring, ...this.#retiring]
    // Whoever waits on a key of this batch was settled; what goes again settles with the next one.
    for (const [key, b] of this.#unsettled) if (b === batch) this.#unsettled.delete(key)
    for (const event of kept) this.#unsettled.set(event.key, this.#next)
    for (const r of retiring) this.#unsettled.set(r.key, this.#next)
  }

  #retryLater(): void {
    this.#retryMs = Math.min(RETRY_MAX_MS, this.#retryMs ? this.#retryMs * 2 : RETRY_MS)
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined
      void this.#flush()
    }, this.#retryMs)
    this.#retryTimer.unref()
  }
}

/** The outcome of one batch, for whoever waits on one of its keys. */
class Batch {
  readonly done: Promise<void>
  settle!: () => void

  constructor() {
    this.done = new Promise(resolve => (this.settle = resolve))
  }
}
