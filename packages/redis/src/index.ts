// Everything a session manager needs on Redis, as one call
export { redisSessions } from './redis-sessions.js'
export type { RedisSessionsOptions } from './redis-sessions.js'
export type { RedisEventStore, RedisEventStoreOptions, RedisRelay, RedisSessions } from './redis-types.js'

// The session store alone, on a client you own
export { RedisSessionStore } from './redis-session-store.js'
export type { RedisSessionStoreOptions } from './redis-session-store.js'

// Connections
export type { RedisConnection } from './redis-types.js'
