import type { Commands } from './redis.js'

// lastActiveAt only moves forward; the TTL restarts on every touch. KEYS[2..] are finished streams of the
// same session (same hash slot) whose TTL is cut to ARGV[3], whether or not the record is still there.
const TOUCH = `
for i = 2, #KEYS do redis.call('PEXPIRE', KEYS[i], ARGV[3], 'LT') end
local t = redis.call('HGET', KEYS[1], 't')
if not t then return 0 end
if tonumber(ARGV[1]) > tonumber(t) then redis.call('HSET', KEYS[1], 't', ARGV[1]) end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1`

/**
 * One touch of a session record, in one script: moves `t` forward, restarts
 * the TTL, and retires `retire.keys` (finished streams of that session) on the
 * way. Resolves `false` when the record is gone.
 *
 * @example
 * await touchSession(commands, sessionKey(prefix, id), Date.now(), 60_000)
 */
export async function touchSession(redis: Commands, key: string, lastActiveAt: number, ttlMs: number, retire?: { keys: string[]; ttlMs: number }): Promise<boolean> {
  const keys = retire?.keys.length ? [key, ...retire.keys] : [key]
  const args = [String(lastActiveAt), String(ttl(ttlMs))]
  if (keys.length > 1) args.push(String(ttl(retire!.ttlMs)))
  return (await redis.script(TOUCH, keys, args)) === 1
}

export const ttl = (ms: number) => Math.max(1, Math.ceil(ms))
