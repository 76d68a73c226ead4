/**
 * Throw-away folders, removed when the test that made them finishes.
 *
 * The removal runs as an `onTestFinished` hook, and a hook has its own limit (the config's 15 s hook timeout
 * unless given one). Removing a copied matrix cell (about 4,300 files) takes 50 ms on an idle machine, but two CI
 * runs, with the other package suites installing beside it, failed verify's tests on that limit after their
 * assertions had passed. So the removal is asynchronous and gets a limit of its own.
 */
import { mkdtempSync } from 'node:fs'
import { rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { onTestFinished } from 'vitest'

/** How long removing one throw-away folder may take before the test fails on it. */
export const REMOVAL_MS = 120_000

/** Removes `path` (a file or a folder) when the current test finishes. */
export function removeWhenFinished(path: string): void {
  onTestFinished(() => rm(path, { recursive: true, force: true }), REMOVAL_MS)
}

/** A new folder under the system's temporary folder, removed when the current test finishes. */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  removeWhenFinished(dir)
  return dir
}
