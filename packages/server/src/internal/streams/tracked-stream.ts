import { encode, KEEP_ALIVE_FRAME } from './sse.js'

/** How an SSE body ended: the server finished it, or the client went away. */
export type StreamEnd = 'finished' | 'detached'

const ID_LINE = /^id: ?([^\r\n]*)$/m

export interface TrackHooks {
  /** Written first: a priming event carrying a resume cursor. */
  prime?: string
  /** Interval of comment frames; 0 or absent: none. */
  keepAliveMs?: number
  /** The first event id that passes through, which names the stream in the event store. */
  onEventId?: (id: string) => void
  /** Runs once: `detached` when the consumer cancels (socket closed, failed write), `finished` when the transport ends it. */
  onEnd: (end: StreamEnd) => void
}

/**
 * Re-wraps an SSE response body so the manager sees the stream open and end.
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

export function trackStream(response: Response, hooks: TrackHooks): TrackedStream {
  const source = response.body
  if (!source) return { response, detach: async () => {} }
  const pipe = new TrackedPipe(source.getReader(), hooks)
  return {
    response: new Response(pipe.body, { status: response.status, statusText: response.statusText, headers: response.headers }),
    detach: () => pipe.detach()
  }
}

/** The SDK's SSE body, passed through with a priming event first, keep-alive frames, and one end notice. */
class TrackedPipe {
  readonly body: ReadableStream<Uint8Array>
  readonly #reader: ReadableStreamDefaultReader<Uint8Array>
  readonly #hooks: TrackHooks
  readonly #decoder = new TextDecoder()
  #controller: ReadableStreamDefaultController<Uint8Array> | undefined
  #keepAlive: ReturnType<typeof setInterval> | undefined
  #wantId: boolean
  #ended = false

  constructor(reader: ReadableStreamDefaultReader<Uint8Array>, hooks: TrackHooks) {
    this.#reader = reader
    this.#hooks = hooks
    this.#wantId = hooks.onEventId !== undefined
    this.body = new ReadableStream<Uint8Array>({
      start: controller => this.#start(controller),
      pull: controller => this.#pull(controller),
      cancel: async reason => {
        this.#end('detached')
        // Cancelling the source runs the SDK's own cancel: it unregisters the
        // stream while the session and its event store stay.
        await this.#reader.cancel(reason).catch(() => {})
      }
    })
  }

  async detach(): Promise<void> {
    if (this.#ended) return
    this.#end('detached')
    await this.#reader.cancel().catch(() => {})
    try {
      this.#controller?.close()
    } catch {
      // Already closed or errored.
    }
  }

  #start(controller: ReadableStreamDefaultController<Uint8Array>): void {
    this.#controller = controller
    if (this.#hooks.prime) controller.enqueue(encode(this.#hooks.prime))
    // @note Comment frames make a dead connection fail a write, so a silently
    // vanished client detaches (and its session can go idle). SDKs before
    // 1.32 send none of their own; with 1.32+ the duplicates are harmless.
    const every = this.#hooks.keepAliveMs
    if (!every || every <= 0) return
    this.#keepAlive = setInterval(() => {
      try {
        controller.enqueue(KEEP_ALIVE_FRAME)
      } catch {
        clearInterval(this.#keepAlive)
      }
    }, every)
    this.#keepAlive.unref?.()
  }

  async #pull(controller: ReadableStreamDefaultController<Uint8Array>): Promise<void> {
    try {
      const { value, done } = await this.#reader.read()
      if (this.#ended) return
      if (done) {
        controller.close()
        this.#end('finished')
        return
      }
      if (this.#wantId) {
        const match = ID_LINE.exec(this.#decoder.decode(value))
        if (match?.[1]) {
          this.#wantId = false
          this.#hooks.onEventId!(match[1])
        }
      }
      controller.enqueue(value)
    } catch (error) {
      controller.error(error)
      this.#end('detached')
    }
  }

  #end(how: StreamEnd): void {
    if (this.#ended) return
    this.#ended = true
    clearInterval(this.#keepAlive)
    this.#hooks.onEnd(how)
  }
}
