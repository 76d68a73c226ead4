import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The repository root, found from this file so scripts run from any folder. */
export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..')
export const patchesRoot = join(repoRoot, 'patches')
export const cacheRoot = join(repoRoot, '.cache')
export const matrixRoot = join(repoRoot, '.matrix')

/**
 * Node flags for a child process that runs one of our TypeScript files: tsx in
 * the same process (so its PID is the script's), and our packages resolved to
 * their sources (the `mcps-source` condition in their package.json `exports`).
 */
export const tsNodeArgs = ['--conditions=mcps-source', '--import', 'tsx']
