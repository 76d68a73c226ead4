import type { Fingerprints } from '../fingerprints.js'
import { SDK_PACKAGE } from '../manifest.js'
import type { BundleMatch, ScannedFile } from './match-bundle.js'

/** A bundled copy found in a package's files, with the SDK package it is a copy of. */
type Found = BundleMatch & { package: string }

const generation = (pkg: string) => (pkg === SDK_PACKAGE ? 1 : 2)

/**
 * How much of what only `found`'s generation says is in its files: the
 * literals of its patched modules that no package of the other generation
 * has, and the share of them the files hold (0 when there are none).
 */
function ownShare(found: Found, fingerprints: Fingerprints, files: ScannedFile[]): number {
  const fp = fingerprints.packages[found.package]!
  const other = new Set<string>()
  for (const [pkg, theirs] of Object.entries(fingerprints.packages)) if (generation(pkg) !== generation(found.package)) for (const t of theirs.tokens) other.add(t)
  const own = new Set<string>()
  for (const module of found.modules.filter(m => fp.patched.includes(m))) {
    for (const variant of fp.modules[module] ?? []) for (const [t] of variant.counts) if (!other.has(fp.tokens[t]!)) own.add(fp.tokens[t]!)
  }
  const held = files.filter(f => found.files.includes(f.path))
  let hits = 0
  for (const t of own) if (held.some(f => f.counts.has(t))) hits++
  return own.size ? hits / own.size : 0
}

/**
 * The v1 SDK and the v2 packages are two generations of one code base: v2's
 * transports keep most of v1's messages, and v1's web-standard server
 * transport reads almost as v2's, so a bundle of either matches the other
 * generation's fingerprints too. Where matches of both generations share a
 * file, the generation whose own literals are there wins and the other's
 * matches of those files are dropped. (A package that bundles both
 * generations into one file is then reported with one of them: still a
 * bundled copy that fails the install.)
 *
 * @example
 * oneGeneration([{ package: '@modelcontextprotocol/sdk', … }, { package: '@modelcontextprotocol/client', … }], fingerprints, files)
 * // [{ package: '@modelcontextprotocol/client', … }] for a bundle of the v2 client
 */
export function oneGeneration<T extends Found>(matches: T[], fingerprints: Fingerprints, files: ScannedFile[]): T[] {
  const shares = new Map(matches.map(m => [m, ownShare(m, fingerprints, files)]))
  return matches.filter(m =>
    matches.every(other => generation(other.package) === generation(m.package) || !other.files.some(f => m.files.includes(f)) || shares.get(other)! <= shares.get(m)!)
  )
}
