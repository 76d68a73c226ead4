import type { EventId } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js'
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js'
import type { EventSink } from '@mcp-sessions/server'
import type { PubSub } from './pubsub.js'

/** One stream entry as a reader sees it: a message to deliver, or a marker (a position with data, never delivered). */
export interface ReadEntry {
  entry: string
  message: JSONRPCMessage | undefined
  marker?: unknown
}

/** What a follower needs from the event store of its stream. */
export interface FollowedStream {
  pubsub: PubSub
  /** The stream's channel: every append publishes its entry id there. */
  channel: string
  /** Up to `batch` entries after `entry` (exclusive). */
  read(entry: string): Promise<ReadEntry[]>
  batch: number
  eventId(entry: string): EventId
  /** The stream is complete after `message` (a request stream's response). */
  ends(message: JSONRPCMessage): boolean
  /** Re-read this often even when nothing woke the follower; 0: never. */
  safetyNetMs: number
  onError(error: unknown): void
}

/** After a failed read or subscribe: Redis is away, try again this soon. */
const RETRY_MS = 1_000

/**
 * Delivers every entry after `after`, then each new one as it is stored (by
 * any node), in order and once. A follower reads only when woken: by a
 * publish on the stream's channel, by the shared subscriber coming back
 * after a disconnect (publishes sent meanwhile are lost, the entries are
 * not), by a retry after a failed read or subscribe, and by the optional
 * safety net. Returns a function that stops following.
 *
 * @example
 * const stop = followStream(stream, '0-0', { event: (id, message) => write(id, message), end: () => close() })
 */
export function followStream(stream: FollowedStream, after: string, sink: EventSink): () => void {
  const follower = new Follower(stream, after, sink)
  return () => follower.stop()
}

class Follower {
  readonly #stream: FollowedStream
  readonly #sink: EventSink
  readonly #net: ReturnType<typeof setInterval> | undefined
  #cursor: string
  #stopped = false
  #pulling = false
  #again = false
  #subscribing = false
  #unsubscribe: (() => void) | undefined
  #retry: ReturnType<typeof setTimeout> | undefined

  constructor(stream: FollowedStream, after: string, sink: EventSink) {
    this.#stream = stream
    this.#sink = sink
    this.#cursor = after
    this.#net = stream.safetyNetMs > 0 ? setInterval(() => void this.#pull(), stream.safetyNetMs) : undefined
    this.#net?.unref()
    this.#subscribe()
  }

  stop(): void {
    if (this.#stopped) return
    this.#stopped = true
    clearInterval(this.#net)
    clearTimeout(this.#retry)
    this.#unsubscribe?.()
  }

  /** Reads until the end of the stream; a wake during a read makes it read again. */
  async #pull(): Promise<void> {
    if (this.#stopped) return
    if (this.#pulling) {
      this.#again = true
      return
    }
    this.#pulling = true
    try {
      do {
        this.#again = false
        // A short batch is the end of the stream as of that read: whatever is stored later publishes, which wakes us.
        for (let batch = await this.#stream.read(this.#cursor); !this.#stopped; batch = await this.#stream.read(this.#cursor)) {
          if (this.#deliver(batch) || batch.length < this.#stream.batch) break
        }
      } while (this.#again && !this.#stopped)
    } catch (error) {
      this.#stream.onError(error)
      this.#later()
    } finally {
      this.#pulling = false
    }
  }

  /** Hands a batch to the sink; true once the stream ended. */
  #deliver(batch: ReadEntry[]): boolean {
    for (const event of batch) {
      this.#cursor = event.entry
      if (event.marker !== undefined) this.#sink.marker?.(event.marker)
      if (!event.message) continue
      this.#sink.event(this.#stream.eventId(event.entry), event.message)
      if (this.#stream.ends(event.message)) {
        this.stop()
        this.#sink.end()
        return true
      }
    }
    return false
  }

  #subscribe(): void {
    if (this.#stopped || this.#subscribing) return
    this.#subscribing = true
    this.#stream.pubsub.subscribe(this.#stream.channel, () => void this.#pull()).then(
      off => {
        this.#subscribing = false
        if (this.#stopped) return off()
        this.#unsubscribe = off
        void this.#pull()
      },
      error => {
        this.#subscribing = false
        this.#stream.onError(error)
        // What is stored may still be readable; the subscription is retried.
        void this.#pull()
        this.#later()
      }
    )
  }

  /** Redis is away: read (or subscribe) again in a moment. */
  #later(): void {
    if (this.#stopped || this.#retry) return
    this.#retry = setTimeout(() => {
      this.#retry = undefined
      if (this.#unsubscribe) void this.#pull()
      else this.#subscribe()
    }, RETRY_MS)
    this.#retry.unref()
  }
}
