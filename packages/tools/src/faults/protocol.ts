/** What the fault scenario and its client processes (fault-client.ts) exchange over IPC. */

/** The SDK copy a client process loads: the matrix cell as published, or with this repo's patch set. */
export type Flavour = 'patched' | 'plain'

/** See workload.ts. */
export type ClientKind = 'busy' | 'quiet' | 'slow'

export interface WorkerConfig {
  url: string
  sdkDir: string
  clients: Array<{ cid: string; kind: ClientKind }>
  callTimeoutMs: number
  reconnection: { initialReconnectionDelay: number; maxReconnectionDelay: number; reconnectionDelayGrowFactor: number; maxRetries: number }
  /** The balancer's idle cut: the workload's pauses and gaps are set relative to it. */
  timeoutServerMs: number
  seed: number
}

export interface CallRecord {
  called: number
  ok: number
  failed: number[]
  httpFailed: number[]
}

/** What one client saw, so far. */
export interface ClientSnapshot {
  cid: string
  kind: ClientKind
  /** Every session id the client was given (more than one after a recovery). */
  sessions: string[]
  /**
   * Calls by tool: how many were made, answered, which (sequence numbers)
   * failed, and which of those got an HTTP error instead of a stream (no
   * message of theirs can reach the client).
   */
  ticks: CallRecord
  parts: CallRecord
  /** Call failures by reason. */
  errors: Record<string, number>
  /** The SDK client's own `onerror` reports by reason (stream drops, reconnection failures, given up). */
  clientErrors: Record<string, number>
  /** Tick sequence number -> times received. */
  received: Record<string, number>
  /** `<call>:<part>` -> times received. */
  receivedParts: Record<string, number>
  /** GET requests: the first stream, fresh ones after it (no Last-Event-ID), resumes; answers by status. */
  gets: { first: number; freshAgain: number; resumed: number; statuses: Record<string, number> }
  /** The last 100 GET requests: epoch ms, the Last-Event-ID sent (or ''), the status ('-' when fetch failed). */
  getLog: Array<[number, string, string]>
  posts: { statuses: Record<string, number> }
}

export type WorkerMessage =
  | { type: 'start'; config: WorkerConfig }
  | { type: 'ready' }
  | { type: 'snapshot'; clients?: ClientSnapshot[] }
  /** No new calls; wait at most `ms` for those in flight. */
  | { type: 'stop'; ms: number }
  | { type: 'settled' }
  | { type: 'close' }
  | { type: 'failed'; error: string }
