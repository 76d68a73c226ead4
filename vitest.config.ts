import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { readManifest, supportedVersions } from '@mcp-sessions/patches'
import { defaultServerConditions } from 'vite'
import { defineConfig } from 'vitest/config'

/**
 * One project for the repository's own packages, and one per matrix cell:
 * every supported SDK version, installed plain and patched (see
 * packages/tools/src/matrix.ts). The proof and guard suites run in every cell;
 * each test reads its cell from the environment.
 */
const root = import.meta.dirname
const wanted = process.env.MCPS_VERSIONS?.split(',').filter(Boolean)
const versions = supportedVersions(readManifest(join(root, 'patches'))).filter(v => !wanted?.length || wanted.includes(v))
/** Our packages resolve to their TypeScript sources in tests (package.json `exports`, condition `mcps-source`). */
const conditions = ['mcps-source', ...defaultServerConditions]

const cells = versions.flatMap(version =>
  (['plain', 'patched'] as const)
    .map(flavor => ({ version, flavor, dir: join(root, '.matrix', version, flavor) }))
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
          include: ['tests/packages/**/*.test.ts']
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
          globalSetup: ['tests/interop/global-setup.ts']
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
