import { existsSync, readFileSync } from 'node:fs'
import { basename, join } from 'node:path'
import { findCopies, type FindOptions, type SdkCopy } from './copies.js'
import { filesInPatch, fixesFor, marker, patchFiles, patchesDir, type Manifest } from './manifest.js'

export type FixPresence = 'applied' | 'missing' | 'partial' | 'not-affected'

export interface FixStatus {
  slug: string
  title: string
  presence: FixPresence
  /** Package files that lack the fix's marker, for `partial` and `missing`. */
  missingIn: string[]
}

/** One copy and the fixes its files carry (none listed for a copy this release cannot patch). */
export interface CopyStatus extends SdkCopy {
  fixes: FixStatus[]
  /** Supported, and every fix that applies to its version is in its files. */
  ok: boolean
}

export interface StatusReport {
  root: string
  copies: CopyStatus[]
  /** At least one copy, and every copy `ok`. */
  ok: boolean
}

/**
 * Which fixes one supported copy carries, read from the marker each patch
 * leaves in every file it changes. Empty for a copy this release cannot patch.
 *
 * @example
 * fixesIn(copy, readManifest()).filter(f => f.presence === 'missing')
 */
export function fixesIn(copy: SdkCopy, manifest: Manifest, dir = patchesDir()): FixStatus[] {
  // Each fix with the summary that fits this package (a v2 package's may differ from the v1 SDK's).
  const fixes = copy.coverage === 'supported' ? fixesFor(manifest, copy.package, copy.version) : undefined
  if (!fixes) return []
  const patches = patchFiles(copy.version, dir, copy.package)
  return fixes.map((fix): FixStatus => {
    if (fix.state !== 'patched') return { slug: fix.slug, title: fix.title, presence: 'not-affected', missingIn: [] }
    const patch = patches.find(p => basename(p).endsWith(`+${fix.number}+${fix.slug}.patch`))
    const files = patch ? filesInPatch(patch, copy.package) : []
    const missingIn = files.filter(f => {
      const path = join(copy.dir, f)
      return !existsSync(path) || !readFileSync(path, 'utf8').includes(marker(fix.slug))
    })
    const presence: FixPresence = files.length === 0 || missingIn.length === files.length ? 'missing' : missingIn.length ? 'partial' : 'applied'
    return { slug: fix.slug, title: fix.title, presence, missingIn }
  })
}

/**
 * A copy's status: its fixes, and whether it is fully patched.
 *
 * @example
 * copyStatus(findCopies(root).copies[0]!, readManifest()).ok
 */
export function copyStatus(copy: SdkCopy, manifest: Manifest, dir = patchesDir()): CopyStatus {
  const fixes = fixesIn(copy, manifest, dir)
  return { ...copy, fixes, ok: copy.coverage === 'supported' && fixes.every(f => f.presence === 'applied' || f.presence === 'not-affected') }
}

/**
 * Every copy of the SDK in the install at `appRoot`, and which fixes each
 * carries. It reads files only; `verify` exercises behaviour.
 *
 * @example
 * const report = patchStatus(process.cwd())
 * if (!report.ok) console.error(report.copies.filter(c => !c.ok).map(c => c.problem ?? c.path))
 */
export function patchStatus(appRoot: string, options: FindOptions = {}): StatusReport {
  const install = findCopies(appRoot, options)
  const { patchesDir: dir, manifest } = install
  const copies = install.copies.map(c => copyStatus(c, manifest, dir))
  return { root: install.root, copies, ok: copies.length > 0 && copies.every(c => c.ok) }
}
