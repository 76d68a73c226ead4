/**
 * Publishing a folder built beside its destination, for caches that several
 * test workers fill at once (.cache/sdk, .cache/packages, .cache/<name>).
 */
import { existsSync, renameSync, rmSync } from 'node:fs'

/** Folders that stand in the way of a rename: `rename(2)` fails on a non-empty target. */
const OCCUPIED = new Set(['ENOTEMPTY', 'EEXIST'])

/**
 * Moves the folder `tmp` to `dir`, unless `dir` already passes `complete`, and
 * returns whether `tmp` was moved. A folder another worker moved into place
 * first is kept, even when it lands after our own check: the rename itself
 * refuses to replace it, and `complete` is asked again. Only a folder that
 * fails `complete` (left half-written, or of an older pin) is moved aside and
 * removed. The caller removes `tmp` when it was not moved.
 *
 * @example
 * const tmp = `${dir}.tmp-${process.pid}-${Date.now()}`
 * // ... build tmp ...
 * try { moveIntoPlace(tmp, dir, d => existsSync(join(d, 'package.json'))) } finally { rmSync(tmp, { recursive: true, force: true }) }
 */
export function moveIntoPlace(tmp: string, dir: string, complete: (dir: string) => boolean): boolean {
  // Bounded: each round either lands `tmp`, finds a complete folder, or removes one that is not.
  for (let attempt = 0; attempt < 5; attempt++) {
    if (complete(dir)) return false
    try {
      renameSync(tmp, dir)
      return true
    } catch (error) {
      if (!OCCUPIED.has((error as NodeJS.ErrnoException).code ?? '')) throw error
    }
    // Something is there. Another worker's folder that has just landed is complete: keep it.
    if (complete(dir)) return false
    const aside = `${dir}.old-${process.pid}-${Date.now()}-${attempt}`
    try {
      renameSync(dir, aside)
    } catch (error) {
      // Another worker moved it aside first.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
    }
    // What we moved may have been a complete folder landed after our check: put it back.
    if (existsSync(aside) && complete(aside)) {
      try {
        renameSync(aside, dir)
      } catch {
        // A third folder landed meanwhile; the next round decides about it.
      }
    }
    if (existsSync(aside)) rmSync(aside, { recursive: true, force: true })
  }
  throw new Error(`[mcp-sessions] Could not move ${tmp} into ${dir}: the folder kept changing under five attempts. Remove ${dir} and run the command again.`)
}
