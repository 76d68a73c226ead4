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
  let cursor = after
  let stopped = false
  let pulling = false
  let again = false
  let subscribing = false
  let unsubscribe: (() => void) | undefined
  let retry: ReturnType<typeof setTimeout> | undefined
  const net = stream.safetyNetMs > 0 ? setInterval(() => void pull(), stream.safetyNetMs) : undefined
  net?.unref()
  const stop = () => {
    if (stopped) return
    stopped = true
    clearInterval(net)
    clearTimeout(retry)
    unsubscribe?.()
  }
  const later = () => {
    if (stopped || retry) return
    retry = setTimeout(() => {
      retry = undefined
      if (unsubscribe) void pull()
      else subscribe()
    }, RETRY_MS)
    retry.unref()
  }
  /** Hands a batch to the sink; true once the stream ended. */
  const deliver = (batch: ReadEntry[]): boolean => {
    for (const event of batch) {
      cursor = event.entry
      if (event.marker !== undefined) sink.marker?.(event.marker)
      if (!event.message) continue
      sink.event(stream.eventId(event.entry), event.message)
      if (stream.ends(event.message)) {
        stop()
        sink.end()
        return true
      }
    }
    return false
  }
  const pull = async (): Promise<void> => {
    if (stopped) return
    if (pulling) {
      again = true
      return
    }
    pulling = true
    try {
      do {
        again = false
        // A short batch is the end of the stream as of that read: whatever is stored later publishes, which wakes us.
        for (let batch = await stream.read(cursor); !stopped; batch = await stream.read(cursor)) {
          if (deliver(batch) || batch.length < stream.batch) break
        }
      } while (again && !stopped)
    } catch (error) {
      stream.onError(error)
      later()
    } finally {
      pulling = false
    }
  }
  const subscribe = () => {
    if (stopped || subscribing) return
    subscribing = true
    stream.pubsub.subscribe(stream.channel, () => void pull()).then(
      off => {
        subscribing = false
        if (stopped) return off()
        unsubscribe = off
        void pull()
      },
      error => {
        subscribing = false
        stream.onError(error)
        // What is stored may still be readable; the subscription is retried.
        void pull()
        later()
      }
    )
  }
  subscribe()
  return stop
}
