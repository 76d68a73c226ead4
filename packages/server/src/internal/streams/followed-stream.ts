import type { EventId, StreamId } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js'
import type { SessionEventStore } from '../../session-event-store.js'
import { encode, KEEP_ALIVE_FRAME, messageEvent, SSE_HEADERS } from './sse.js'
import type { StreamEnd } from './tracked-stream.js'

/**
 * An SSE response fed from a shared event store instead of the SDK
 * transport: everything after `after` on `streamId`, then each new event
 * stored by any node, once and in order. `prime` (an id-only event) is
 * written first. `onEnd` runs once: `finished` when the store ends the stream
 * (a request stream's response went out), `detached` when the client leaves.
 */
export function followedStream(
  events: SessionEventStore,
  streamId: StreamId,
  after: EventId,
  headers: Record<string, string>,
  hooks: { prime?: string; keepAliveMs?: number; onEnd: (end: StreamEnd) => void }
): Response {
  let stop: (() => void) | undefined
  let timer: ReturnType<typeof setInterval> | undefined
  let ended = false
  const end = (how: StreamEnd) => {
    if (ended) return
    ended = true
    if (timer) clearInterval(timer)
    stop?.()
    hooks.onEnd(how)
  }
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      if (hooks.prime) controller.enqueue(encode(hooks.prime))
      stop = events.follow!(streamId, after, {
        event: (eventId, message) => {
          if (!ended) controller.enqueue(messageEvent(eventId, message))
        },
        end: () => {
          if (ended) return
          controller.close()
          end('finished')
        }
      })
      if (hooks.keepAliveMs) {
        // A comment line keeps proxies from timing out an idle stream.
        timer = setInterval(() => {
          if (!ended) controller.enqueue(KEEP_ALIVE_FRAME)
        }, hooks.keepAliveMs)
        timer.unref?.()
      }
    },
    cancel() {
      end('detached')
    }
  })
  return new Response(body, { status: 200, headers: { ...SSE_HEADERS, ...headers } })
}
