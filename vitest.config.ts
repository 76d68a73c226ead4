import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { readManifest } from '@mcp-sessions/patches'
// By path: the config loader runs workspace packages through Node, which cannot load TypeScript.
import { cellKey, cellTests, projectName, selectCells } from './packages/tools/src/cells.js'
import { defaultServerConditions } from 'vite'
import { defineConfig } from 'vitest/config'

/**
 * One project for the repository's own packages, and one per matrix cell:
 * every supported release of the v1 SDK and of the v2 client and server
 * packages, installed plain and patched (see packages/tools/src/matrix.ts;
 * MCPS_VERSIONS selects cells, see packages/tools/src/cells.ts). The v1 proof
 * and guard suites run in every v1 cell, tests/fixes/v2/<package>/ in the v2
 * cells; each test reads its cell from the environment.
 */
const root = import.meta.dirname
const manifest = readManifest(join(root, 'patches'))
const selected = selectCells(manifest, process.env.MCPS_VERSIONS)
/** Our packages resolve to their TypeScript sources in tests (package.json `exports`, condition `mcps-source`). */
const conditions = ['mcps-source', ...defaultServerConditions]

const cells = selected.flatMap(cell =>
  (['plain', 'patched'] as const)
    .map(flavor => ({ ...cell, flavor, dir: join(root, '.matrix', cellKey(cell, manifest), flavor) }))
    .filter(cell => existsSync(join(cell.dir, '.mcps-stamp')))
)

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions } },
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
          include: ['tests/packages/**/*.test.ts'],
          // Real installs, CLI runs and child processes: up to 78 s for one CLI verify test at load average 20.
          testTimeout: 120_000
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
      {
        extends: true,
        test: {
          name: 'hostile',
          include: ['tests/hostile/**/*.test.ts'],
          testTimeout: 30_000
        }
      },
      {
        // The official conformance suite and foreign clients against our servers and client (issue 14).
        // global-setup.ts installs Node 22, the suite and the clients into .cache/ once per run.
        extends: true,
        test: {
          name: 'interop',
          include: ['tests/interop/**/*.test.ts'],
          globalSetup: ['tests/interop/global-setup.ts'],
          // Cluster tests start Redis and node processes inside the test (15.4 s seen at load average 20).
          testTimeout: 60_000
        }
      },
      ...cells.map(cell => ({
        extends: true as const,
        test: {
          name: projectName(cell, cell.flavor, manifest),
          include: cellTests(cell, manifest),
          env: {
            MCPS_CELL: cell.dir,
            MCPS_PACKAGE: cell.pkg,
            MCPS_SDK_VERSION: cell.version,
            MCPS_PATCHED: cell.flavor === 'patched' ? '1' : '0'
          }
        }
      }))
    ]
  }
})
