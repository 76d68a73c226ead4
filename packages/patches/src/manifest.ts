import { existsSync, readFileSync, readdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { PatchError } from './errors.js'

export type FixState = 'patched' | 'not-affected'

export interface FixInfo {
  number: string
  slug: string
  title: string
  bugs: string[]
  spec?: string
  test: string
  forwarded: string
}

export interface Manifest {
  package: string
  fixes: FixInfo[]
  versions: Record<string, Record<string, FixState>>
}

const packageRoot = join(dirname(fileURLToPath(import.meta.url)), '..')

/**
 * The folder holding `manifest.json` and one folder per SDK version. A published
 * package carries its own copy; inside the repository the package reads the
 * canonical copy at the repository root.
 */
export function patchesDir(): string {
  for (const dir of [join(packageRoot, 'patches'), join(packageRoot, '..', '..', 'patches')]) {
    if (existsSync(join(dir, 'manifest.json'))) return dir
  }
  throw new PatchError('MCPS_PATCHES_MISSING', `Failed to find the patch set: no patches/manifest.json next to ${packageRoot}. Reinstall @mcp-sessions/patches.`)
}

export function readManifest(dir = patchesDir()): Manifest {
  return JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Manifest
}

/** The SDK versions this release of the patch set supports, oldest first. */
export function supportedVersions(manifest = readManifest()): string[] {
  return Object.keys(manifest.versions)
}

/** The patch files for one SDK version, in the order patch-package applies them. */
export function patchFiles(version: string, dir = patchesDir()): string[] {
  const folder = join(dir, version)
  if (!existsSync(folder)) return []
  return readdirSync(folder).filter(f => f.endsWith('.patch')).sort().map(f => join(folder, f))
}

/** The SDK files (paths inside the package) a patch changes, read from its `diff --git` lines. */
export function filesInPatch(patchPath: string): string[] {
  const files: string[] = []
  for (const line of readFileSync(patchPath, 'utf8').split('\n')) {
    const m = /^diff --git a\/node_modules\/@modelcontextprotocol\/sdk\/(\S+) /.exec(line)
    if (m) files.push(m[1]!)
  }
  return files
}
