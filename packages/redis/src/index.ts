// One option: everything a session manager needs on Redis
export { redisSessions } from './redis-sessions.js'
export type { RedisSessionsOptions } from './redis-sessions.js'

// Session store
export { RedisSessionStore } from './redis-session-store.js'
export type { RedisSessionStoreOptions } from './redis-session-store.js'

// Event store (Redis Streams) and reply routing (pub/sub)
export { RedisEventStore, RedisEventStores } from './redis-event-store.js'
export type { EventIdProblem, EventSink, RedisEventStoreOptions } from './redis-event-store.js'
export { RedisRelay } from './redis-relay.js'

// Connections
export type { RedisConnection } from './internal/redis.js'
