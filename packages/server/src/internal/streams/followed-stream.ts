import type { EventId, StreamId } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js'
import type { SessionEventStore } from '../../session-event-store.js'
import type { KeepAliveTicker } from './keep-alive.js'
import { encode, KEEP_ALIVE_FRAME, messageEvent, SSE_HEADERS } from './sse.js'
import type { OpenStream, StreamEnd } from './tracked-stream.js'

/**
 * An SSE response fed from a shared event store instead of the SDK
 * transport: everything after `after` on `streamId`, then each new event
 * stored by any node, once and in order. `prime` (an id-only event) is
 * written first. `onEnd` runs once: `finished` when the store ends the stream
 * (a request stream's response went out), `detached` when the client leaves
 * or `detach()` ends it from the server side.
 */
export function followedStream(
  events: SessionEventStore,
  streamId: StreamId,
  after: EventId,
  headers: Record<string, string>,
  hooks: { prime?: string; keepAlive?: KeepAliveTicker; onEnd: (end: StreamEnd) => void; onMarker?: (marker: unknown) => void }
): OpenStream & { response: Response } {
  let stop: (() => void) | undefined
  let controllerRef: ReadableStreamDefaultController<Uint8Array> | undefined
  let ended = false
  const end = (how: StreamEnd) => {
    if (ended) return
    ended = true
    stop?.()
    hooks.onEnd(how)
  }
  // The stream as the manager tracks it (a GET the server may end, the keep-alive ticker frames); its response below.
  const followed: OpenStream = {
    spoke: true,
    frame: () => {
      if (!ended) controllerRef?.enqueue(KEEP_ALIVE_FRAME)
    },
    detach: async () => {
      if (ended) return
      end('detached')
      try {
        controllerRef?.close()
      } catch {
        // Already closed.
      }
    }
  }
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controllerRef = controller
      if (hooks.prime) controller.enqueue(encode(hooks.prime))
      stop = events.follow!(streamId, after, {
        event: (eventId, message) => {
          if (ended) return
          controller.enqueue(messageEvent(eventId, message))
          followed.spoke = true
        },
        end: () => {
          if (ended) return
          controller.close()
          end('finished')
        },
        marker: marker => {
          if (!ended) hooks.onMarker?.(marker)
        }
      })
      // A comment line keeps proxies from timing out an idle stream.
      hooks.keepAlive?.start()
    },
    cancel() {
      end('detached')
    }
  })
  return Object.assign(followed, { response: new Response(body, { status: 200, headers: { ...SSE_HEADERS, ...headers } }) })
}
