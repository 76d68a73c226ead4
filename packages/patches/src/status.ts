import { existsSync, readFileSync } from 'node:fs'
import { basename, join } from 'node:path'
import { filesInPatch, fixStates, marker, patchFiles, patchesDir, readManifest, type Manifest } from './manifest.js'
import { findInstalledSdk } from './sdk.js'

export type FixPresence = 'applied' | 'missing' | 'partial' | 'not-affected' | 'unsupported'

export interface FixStatus {
  slug: string
  title: string
  presence: FixPresence
  /** SDK files that lack the fix's marker, for `partial` and `missing`. */
  missingIn: string[]
}

export interface StatusReport {
  version: string
  supported: boolean
  fixes: FixStatus[]
}

/**
 * Which fixes the installed SDK carries, read from the marker each patch leaves
 * in every file it changes. It reads files only; `verify` exercises behaviour.
 *
 * @example
 * const report = patchStatus(process.cwd())
 * report.fixes.filter(f => f.presence !== 'applied' && f.presence !== 'not-affected')
 */
export function patchStatus(appRoot: string, manifest: Manifest = readManifest(), dir = patchesDir()): StatusReport {
  const sdk = findInstalledSdk(appRoot)
  const states = fixStates(manifest, sdk.version)
  if (!states) {
    return { version: sdk.version, supported: false, fixes: manifest.fixes.map(f => ({ slug: f.slug, title: f.title, presence: 'unsupported', missingIn: [] })) }
  }
  const patches = patchFiles(sdk.version, dir)
  const fixes = manifest.fixes.map((fix): FixStatus => {
    if (states[fix.slug] !== 'patched') return { slug: fix.slug, title: fix.title, presence: 'not-affected', missingIn: [] }
    const patch = patches.find(p => basename(p).endsWith(`+${fix.number}+${fix.slug}.patch`))
    const files = patch ? filesInPatch(patch) : []
    const missingIn = files.filter(f => {
      const path = join(sdk.dir, f)
      return !existsSync(path) || !readFileSync(path, 'utf8').includes(marker(fix.slug))
    })
    const presence: FixPresence = files.length === 0 || missingIn.length === files.length ? 'missing' : missingIn.length ? 'partial' : 'applied'
    return { slug: fix.slug, title: fix.title, presence, missingIn }
  })
  return { version: sdk.version, supported: true, fixes }
}
