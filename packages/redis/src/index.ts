// Session store
export { RedisSessionStore } from './redis-session-store.js'
export type { RedisSessionStoreOptions } from './redis-session-store.js'
export type { RedisConnection } from './internal/redis.js'
