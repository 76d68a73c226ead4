import { copyFileSync, existsSync, renameSync, rmSync, statSync } from 'node:fs'
import { join } from 'node:path'

/**
 * Gives each file the patches will change an inode of its own. pnpm and bun
 * install package files as hard links into a machine-wide store (and pnpm links
 * identical files, such as the SDK's esm and cjs `.d.ts`, to one inode), so an
 * in-place edit by patch-package would change the store, and with it every other
 * project on the machine that uses this SDK version; it would also apply the
 * esm hunk to the cjs copy and fail there. A copy renamed over the link leaves
 * the store untouched. Returns the paths it detached.
 *
 * @example
 * detachHardLinks(sdk.dir, ['dist/esm/client/streamableHttp.js'])
 */
export function detachHardLinks(packageDir: string, files: string[]): string[] {
  const detached: string[] = []
  for (const file of new Set(files)) {
    const path = join(packageDir, file)
    if (!existsSync(path) || statSync(path).nlink < 2) continue
    const copy = `${path}.mcps-detach-${process.pid}`
    try {
      copyFileSync(path, copy)
      renameSync(copy, path)
    } finally {
      rmSync(copy, { force: true })
    }
    detached.push(file)
  }
  return detached
}
