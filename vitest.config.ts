import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { defineConfig } from 'vitest/config'

/**
 * One project for the repository's own packages, and one per matrix cell:
 * every supported SDK version, installed plain and patched (see
 * packages/tools/src/matrix.ts). The proof and guard suites run in every cell;
 * each test reads its cell from the environment.
 */
const root = import.meta.dirname
const manifest = JSON.parse(readFileSync(join(root, 'patches', 'manifest.json'), 'utf8')) as { versions: Record<string, unknown> }
const wanted = process.env.MCPS_VERSIONS?.split(',').filter(Boolean)
const versions = Object.keys(manifest.versions).filter(v => !wanted?.length || wanted.includes(v))

const cells = versions.flatMap(version =>
  (['plain', 'patched'] as const)
    .map(flavor => ({ version, flavor, dir: join(root, '.matrix', version, flavor) }))
    .filter(cell => existsSync(join(cell.dir, '.mcps-stamp')))
)

export default defineConfig({
  test: {
    // The suites wait on sockets and child processes far more than they compute. Measured on two cores: the
    // default (one worker per spare core) ran the 3-version matrix in 563 s, four workers in 191 s; eight ran all
    // 19 versions in 10 min (with child-process start-up given 30 s, tests/helpers/process.ts).
    maxWorkers: 8,
    testTimeout: 15_000,
    hookTimeout: 15_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'packages',
          include: ['tests/packages/**/*.test.ts']
        }
      },
      {
        // Real haproxy, redis-server and node processes, one fault per test: one file at a time, and on its own
        // (packages/tools/src/proof.ts --all) so other suites do not skew its timing. (A --maxWorkers flag does not
        // reach this project: it inherits maxWorkers from the root config.)
        extends: true,
        test: {
          name: 'faults',
          fileParallelism: false,
          include: ['tests/faults/**/*.test.ts'],
          testTimeout: 150_000,
          hookTimeout: 60_000
        }
      },
      ...cells.map(cell => ({
        extends: true as const,
        test: {
          name: `sdk@${cell.version}-${cell.flavor}`,
          include: ['tests/fixes/**/*.test.ts', 'tests/guards/**/*.test.ts'],
          env: {
            MCPS_CELL: cell.dir,
            MCPS_SDK_VERSION: cell.version,
            MCPS_PATCHED: cell.flavor === 'patched' ? '1' : '0'
          }
        }
      }))
    ]
  }
})
