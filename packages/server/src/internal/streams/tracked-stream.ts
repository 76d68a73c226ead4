import { isAscii } from 'node:buffer'
import type { KeepAliveTicker, Quiet } from './keep-alive.js'
import { encode, KEEP_ALIVE_FRAME } from './sse.js'

/** How an SSE body ended: the server finished it, or the client went away. */
export type StreamEnd = 'finished' | 'detached'

export interface TrackHooks {
  /** A POST stream answers one request and then ends; a GET stream stays open. */
  kind: 'get' | 'post'
  /** Written first: a priming event carrying a resume cursor. */
  prime?: string
  /** Sends comment frames while the stream is quiet; absent: none. */
  keepAlive?: KeepAliveTicker
  /** Runs once: `detached` when the consumer cancels (socket closed, failed write), `finished` when the transport ends it. */
  onEnd: (end: StreamEnd) => void
}

/** A stream open on this node: the server can end it (half-open takeover, shutdown), the keep-alive ticker frames it. */
export interface OpenStream extends Quiet {
  detach(): Promise<void>
}

/** Who writes a tracked stream out: a web `ReadableStream` or a Node response. */
export interface StreamConsumer {
  /** A comment frame, between two reads. */
  keepAlive(frame: Uint8Array): void
  /** The server ended the stream early ({@link TrackedAnswer.detach}). */
  end(): void
}

/**
 * An SSE answer of the SDK's transport with the manager's additions (a
 * priming event first, keep-alive frames, the stream's id, one end notice),
 * before anything is re-wrapped: the Node entry point writes it straight to
 * the socket (`read`), the web entry point turns it into a `Response`
 * (`toResponse`). Re-wrapping the SDK's body in a second stream for every
 * request cost 7-9% of the manager's time.
 */
export class TrackedAnswer implements OpenStream {
  readonly status: number
  readonly headers: Headers
  readonly kind: 'get' | 'post'
  /** It wrote since the keep-alive ticker last looked (a new stream counts as having written). */
  spoke = true
  /** The event store's id of this stream, once known (a POST stream's is looked up only when a resume asks). */
  streamId: string | undefined
  readonly #reader: ReadableStreamDefaultReader<Uint8Array>
  readonly #hooks: TrackHooks
  #prime: Uint8Array | undefined
  /** The SDK's first chunk, kept undecoded: its event id names the stream, and is rarely asked for. */
  #first: Uint8Array | undefined
  #firstId: string | undefined
  #consumer: StreamConsumer | undefined
  #ended = false

  constructor(response: Response, hooks: TrackHooks) {
    this.status = response.status
    this.headers = response.headers
    this.kind = hooks.kind
    this.#reader = response.body!.getReader()
    this.#hooks = hooks
    this.#prime = hooks.prime ? encode(hooks.prime) : undefined
  }

  /** Called once by whoever writes the stream out, before the first `read`. */
  attach(consumer: StreamConsumer): void {
    this.#consumer = consumer
    // @note Comment frames make a dead connection fail a write, so a silently
    // vanished client detaches (and its session can go idle). The SDK's own
    // (1.32+, one timer per stream) is turned off: the ticker frames them all.
    if (!this.#ended) this.#hooks.keepAlive?.start()
  }

  /** One comment frame (the keep-alive ticker's). */
  frame(): void {
    if (!this.#ended) this.#consumer?.keepAlive(KEEP_ALIVE_FRAME)
  }

  /** The next bytes to write; `undefined` once the stream is over (finished or detached). */
  read(): Promise<Uint8Array | undefined> {
    const prime = this.#prime
    if (prime) {
      this.#prime = undefined
      return Promise.resolve(prime)
    }
    if (this.#ended) return OVER
    return this.#reader.read().then(this.#took, this.#failed)
  }

  // Bound once per answer, not per read.
  readonly #took = (chunk: ReadableStreamReadResult<Uint8Array>): Uint8Array | undefined => {
    if (this.#ended) return undefined
    if (chunk.done) {
      this.#end('finished')
      return undefined
    }
    // A chunk that starts with ':' is a comment (the SDK's keep-alive): no event, no id.
    if (this.#first === undefined && chunk.value[0] !== COLON) this.#first = chunk.value
    this.spoke = true
    return chunk.value
  }

  readonly #failed = (error: unknown): never => {
    this.#end('detached')
    throw error
  }

  /** The client went away: the SDK unregisters the stream (its cancel runs); the session and its events stay. */
  async cancel(reason?: unknown): Promise<void> {
    this.#end('detached')
    await this.#reader.cancel(reason).catch(() => {})
  }

  /**
   * Ends the stream from the server side as 'detached': the SDK unregisters
   * it and the HTTP response ends. Used when the client reconnects to a
   * stream the server still believes open (half-open TCP), and on shutdown.
   */
  async detach(): Promise<void> {
    if (this.#ended) return
    await this.cancel()
    this.#consumer?.end()
  }

  /** The web form: a `Response` whose body reads this answer. */
  toResponse(): Response {
    const body = new ReadableStream<Uint8Array>({
      start: controller => this.attach({
        keepAlive: frame => {
          try {
            controller.enqueue(frame)
          } catch {
            // Closed in the meantime.
          }
        },
        end: () => closeQuietly(controller)
      }),
      pull: async controller => {
        const value = await this.read()
        if (value) controller.enqueue(value)
        else closeQuietly(controller)
      },
      cancel: reason => this.cancel(reason)
    })
    return new Response(body, { status: this.status, headers: this.headers })
  }

  /**
   * The id of the first event the SDK wrote (its priming event, or its first
   * message: with an event store every event has one), which the event store
   * maps to the stream; `undefined` while nothing was written.
   */
  firstEventId(): string | undefined {
    if (this.#firstId === undefined && this.#first) this.#firstId = idOf(this.#first)
    return this.#firstId
  }

  #end(how: StreamEnd): void {
    if (this.#ended) return
    this.#ended = true
    this.#hooks.onEnd(how)
  }
}

const OVER: Promise<undefined> = Promise.resolve(undefined)
const COLON = 0x3a
const DECODER = new TextDecoder()
const ID_LINE = /^id: ?([^\r\n]*)$/m

/**
 * The value of the first `id:` field in an SSE chunk (the SDK writes it
 * first in an event, or after `event:`), read from the chunk's start:
 * ASCII as latin1, a fraction of the cost of a UTF-8 decode.
 */
function idOf(chunk: Uint8Array): string | undefined {
  const bytes = Buffer.from(chunk.buffer, chunk.byteOffset, Math.min(chunk.byteLength, 512))
  return ID_LINE.exec(isAscii(bytes) ? bytes.toString('latin1') : DECODER.decode(bytes))?.[1] || undefined
}

function closeQuietly(controller: ReadableStreamDefaultController<Uint8Array>): void {
  try {
    controller.close()
  } catch {
    // Closed or errored already.
  }
}

/** What the core answers: a plain `Response`, or an SSE answer not yet bound to an entry point. */
export type Answer = Response | TrackedAnswer

/** The web-standard form of an answer. */
export const toResponse = (answer: Answer): Response => answer instanceof TrackedAnswer ? answer.toResponse() : answer
