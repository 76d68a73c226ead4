import { resolve } from 'node:path'
import { SDK_VERSION } from './paths.js'
import type { Variant } from './processes.js'

const LABELS: Record<Variant, string> = {
  ceiling: 'raw node:http, tiny JSON body (the ceiling)',
  map: `SDK map pattern, parsedBody, unpatched ${SDK_VERSION}`,
  'map-events': 'same + the SDK example\'s InMemoryEventStore',
  floor: 'floor: the SDK web-standard transport + MemoryEventStore, no manager',
  manager: '@mcp-sessions/server quick start, patched, in memory',
  candidate: 'candidate manager',
  redis: '@mcp-sessions/server on Redis, 1 node'
}

/** One server to start: its variant, how tables name it, and the manager build a candidate loads. */
export interface Planned {
  variant: Variant
  label: string
  env: Record<string, string>
}

/**
 * The servers for `--variants`, `--candidate` and `--redis-candidate` (comma-separated):
 * `candidate` stands for one server per candidate build (a `dist/index.js` of
 * @mcp-sessions/server), labelled by its path; `redis-candidate` for one Redis server per
 * candidate build of @mcp-sessions/redis (`<dir>/redis/dist/index.js`, beside the server build
 * it imports, `<dir>/server/dist/index.js`: a copy of both packages in a `node_modules/@mcp-sessions`).
 *
 * @example
 * plan('map,manager,candidate', 'packages/server/dist/index.js')
 * plan('manager,redis,redis-candidate', '', 'old/node_modules/@mcp-sessions/redis/dist/index.js')
 */
export function plan(variants: string, candidates: string, redisCandidates = ''): Planned[] {
  const builds = (list: string) => list.split(',').filter(Boolean).map(path => resolve(path))
  return variants.split(',').flatMap((variant): Planned[] => {
    if (variant === 'candidate') return builds(candidates).map(path => ({ variant, label: `candidate ${path}`, env: { MCPS_BENCH_MANAGER: path } }))
    if (variant === 'redis-candidate') {
      return builds(redisCandidates).map(path => ({
        variant: 'redis',
        label: `redis candidate ${path}`,
        env: { MCPS_BENCH_REDIS: path, MCPS_BENCH_MANAGER: path.replace(/redis([\\/]dist[\\/]index\.js)$/, 'server$1') }
      }))
    }
    return [{ variant: variant as Variant, label: LABELS[variant as Variant] ?? variant, env: {} }]
  })
}
