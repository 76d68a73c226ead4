/** How an SSE body ended: the server finished it, or the client went away. */
export type StreamEnd = 'finished' | 'detached'

const encoder = new TextEncoder()
const KEEP_ALIVE = encoder.encode(': keepalive\n\n')
const decoder = new TextDecoder()
const ID_LINE = /^id: ?([^\r\n]*)$/m

/**
 * Re-wraps an SSE response body so the manager sees the stream open and end:
 * `onEnd('detached')` when the consumer cancels (socket closed, failed write),
 * `onEnd('finished')` when the transport closes it. `prime` is written first
 * (a priming event carrying a resume cursor). `onEventId` gets the first event
 * id that passes through, which names the stream in the event store.
 */
export interface TrackedStream {
  response: Response
  /**
   * Ends the stream from the server side as 'detached': the SDK unregisters
   * it (its cancel runs) and the HTTP response ends. Used when the client
   * reconnects to a stream the server still believes open (half-open TCP).
   */
  detach(): Promise<void>
}

export function trackStream(
  response: Response,
  hooks: { prime?: string; keepAliveMs?: number; onEventId?: (id: string) => void; onEnd: (end: StreamEnd) => void }
): TrackedStream {
  const source = response.body
  if (!source) return { response, detach: async () => {} }
  const reader = source.getReader()
  let controllerRef: ReadableStreamDefaultController<Uint8Array> | undefined
  let ended = false
  let keepAlive: ReturnType<typeof setInterval> | undefined
  let wantId = hooks.onEventId !== undefined
  const end = (how: StreamEnd) => {
    if (ended) return
    ended = true
    clearInterval(keepAlive)
    hooks.onEnd(how)
  }
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controllerRef = controller
      if (hooks.prime) controller.enqueue(encoder.encode(hooks.prime))
      // @note Comment frames make a dead connection fail a write, so a silently
      // vanished client detaches (and its session can go idle). SDKs before
      // 1.32 send none of their own; with 1.32+ the duplicates are harmless.
      if (hooks.keepAliveMs && hooks.keepAliveMs > 0) {
        keepAlive = setInterval(() => {
          try {
            controller.enqueue(KEEP_ALIVE)
          } catch {
            clearInterval(keepAlive)
          }
        }, hooks.keepAliveMs)
        keepAlive.unref?.()
      }
    },
    async pull(controller) {
      try {
        const { value, done } = await reader.read()
        if (ended) return
        if (done) {
          controller.close()
          end('finished')
          return
        }
        if (wantId) {
          const match = ID_LINE.exec(decoder.decode(value))
          if (match?.[1]) {
            wantId = false
            hooks.onEventId!(match[1])
          }
        }
        controller.enqueue(value)
      } catch (error) {
        controller.error(error)
        end('detached')
      }
    },
    async cancel(reason) {
      end('detached')
      // Cancelling the source runs the SDK's own cancel: it unregisters the
      // stream while the session and its event store stay.
      await reader.cancel(reason).catch(() => {})
    }
  })
  return {
    response: new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers }),
    detach: async () => {
      if (ended) return
      end('detached')
      await reader.cancel().catch(() => {})
      try {
        controllerRef?.close()
      } catch {
        // Already closed or errored.
      }
    }
  }
}
