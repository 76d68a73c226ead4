import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The repository root, found from this file so scripts run from any folder. */
export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..')
export const patchesRoot = join(repoRoot, 'patches')
export const cacheRoot = join(repoRoot, '.cache')
export const matrixRoot = join(repoRoot, '.matrix')
