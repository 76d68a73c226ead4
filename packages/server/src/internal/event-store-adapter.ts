import type { EventStore } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js'
import type { SessionEventStore } from '../session-event-store.js'

/**
 * A plain SDK `EventStore` as a {@link SessionEventStore}: an id the store
 * cannot place is `foreign`, it names no priming cursor (so fresh streams get
 * no priming event), and it has nothing to release.
 */
export function asSessionEventStore(store: EventStore | SessionEventStore): SessionEventStore {
  const full = store as Partial<SessionEventStore>
  if (full.check && full.cursor && full.openCursor && full.finished && full.dispose) return store as SessionEventStore
  const streamOf = store.getStreamIdForEventId?.bind(store)
  return {
    storeEvent: store.storeEvent.bind(store),
    replayEventsAfter: store.replayEventsAfter.bind(store),
    getStreamIdForEventId: streamOf,
    check: full.check?.bind(store) ?? (async eventId => streamOf && (await streamOf(eventId)) === undefined ? 'foreign' : undefined),
    cursor: full.cursor?.bind(store) ?? (() => undefined),
    openCursor: full.openCursor?.bind(store) ?? full.cursor?.bind(store) ?? (() => undefined),
    finished: full.finished?.bind(store) ?? (() => {}),
    dispose: full.dispose?.bind(store) ?? (() => {}),
    follow: full.follow?.bind(store)
  }
}
