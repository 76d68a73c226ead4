/**
 * A byte budget shared by several {@link MemoryEventStore}s: the manager's
 * node-wide `maxEventBytes`. When the stores together hold more, the oldest
 * events anywhere are dropped first, whichever session they belong to (a
 * resume that needed them then gets 400 `MCPS_EVENT_ID_EXPIRED`).
 *
 * @example
 * const pool = new MemoryEventPool({ maxBytes: 64 * 1024 * 1024 })
 * const store = new MemoryEventStore({ pool })
 */
export class MemoryEventPool {
  readonly maxBytes: number
  constructor(options: { maxBytes: number }) {
    this.maxBytes = Math.max(1, options.maxBytes)
    pools.set(this, { used: 0, queue: [], head: 0 })
  }

  /** Bytes (of JSON) the stores of this pool hold now. */
  get bytes(): number {
    return pools.get(this)!.used
  }
}

/** What a store does for its pool: drop one event if it still holds it; returns whether it did. */
export interface PooledStore {
  evictOldest(streamNo: number, seq: number): boolean
  holds(streamNo: number, seq: number): boolean
}

interface PoolState {
  used: number
  /** Every event stored, oldest first; entries of events a store already dropped are skipped. */
  queue: Array<{ store: PooledStore; streamNo: number; seq: number } | undefined>
  head: number
}

const pools = new WeakMap<MemoryEventPool, PoolState>()

/** A store took `bytes` more: count them, and drop the oldest events anywhere while over budget. */
export function poolAdd(pool: MemoryEventPool, entry: { store: PooledStore; streamNo: number; seq: number }, bytes: number): void {
  const state = pools.get(pool)!
  state.used += bytes
  state.queue.push(entry)
  for (let guard = state.queue.length; state.head < state.queue.length && guard > 0; guard--) {
    const oldest = state.queue[state.head]!
    // Entries of events their store dropped by itself go as soon as they reach the head.
    if (oldest.store.holds(oldest.streamNo, oldest.seq)) {
      if (state.used <= pool.maxBytes) break
      oldest.store.evictOldest(oldest.streamNo, oldest.seq)
    }
    state.queue[state.head++] = undefined
  }
  compact(state)
}

/** A store dropped `bytes` by itself (expiry, its own bounds, a finished stream, disposal). */
export function poolRelease(pool: MemoryEventPool, bytes: number): void {
  pools.get(pool)!.used -= bytes
}

/** Keeps the queue proportional to what is held: the dropped prefix goes once it dominates. */
function compact(state: PoolState): void {
  if (state.head > 1024 && state.head * 2 > state.queue.length) {
    state.queue = state.queue.slice(state.head)
    state.head = 0
  }
}
