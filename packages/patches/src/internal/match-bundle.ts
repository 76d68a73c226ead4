import type { PackageFingerprints } from '../fingerprints.js'

/** What another package's files hold of one SDK package. */
export interface BundleMatch {
  /** The releases whose modules match the files best (several when they do not differ in what was bundled). */
  versions: string[]
  /** Files holding a module the patches change. */
  files: string[]
  /** The SDK modules found, by path under `dist/esm`. */
  modules: string[]
}

export interface ScannedFile {
  path: string
  counts: Map<string, number>
}

/**
 * A module counts as bundled into a file when that much of one release's
 * literals occur there. Bundlers keep whole modules (tree-shaking drops
 * unused exports, rarely the strings of a class it keeps), while another
 * package's own MCP code shares a few header names and messages at most.
 */
const CONTAINMENT = 0.8

type Expanded = Array<{ module: string; perVersion: Array<Map<number, number> | undefined> }>

const cache = new WeakMap<PackageFingerprints, Expanded>()

function expand(fp: PackageFingerprints): Expanded {
  const known = cache.get(fp)
  if (known) return known
  const out: Expanded = Object.entries(fp.modules).map(([module, variants]) => {
    const perVersion: Array<Map<number, number> | undefined> = fp.versions.map(() => undefined)
    for (const variant of variants) for (const v of variant.in) perVersion[v] = new Map(variant.counts)
    return { module, perVersion }
  })
  cache.set(fp, out)
  return out
}

/** The modules of `fp` a file holds: best containment over the releases at or above the threshold. */
function modulesIn(fp: PackageFingerprints, file: ScannedFile): Expanded {
  return expand(fp).filter(({ perVersion }) =>
    perVersion.some(counts => {
      if (!counts) return false
      let hits = 0
      for (const token of counts.keys()) if (file.counts.has(fp.tokens[token]!)) hits++
      return hits >= 3 && hits / counts.size >= CONTAINMENT
    })
  )
}

/**
 * Says whether `files` (one package's JavaScript) hold a bundled copy of the
 * SDK package `fp` describes, and which release: each release is scored by
 * how far the literal counts of the modules found are from what that
 * release's modules would put there; the closest wins. Undefined when no
 * module the patches change is there.
 *
 * @example
 * matchBundle(fingerprints.packages['@modelcontextprotocol/sdk']!, [{ path: 'dist/index.mjs', counts: literalCounts(text) }])
 * // { versions: ['1.27.1'], files: ['dist/index.mjs'], modules: ['client/streamableHttp.js', …] }
 */
export function matchBundle(fp: PackageFingerprints, files: ScannedFile[]): BundleMatch | undefined {
  const scores = fp.versions.map(() => 0)
  const patchedFiles: string[] = []
  const found = new Set<string>()
  for (const file of files) {
    const present = modulesIn(fp, file)
    if (present.length === 0) continue
    if (present.some(m => fp.patched.includes(m.module))) patchedFiles.push(file.path)
    for (const m of present) found.add(m.module)
    const tokens = new Set<number>()
    for (const m of present) for (const counts of m.perVersion) for (const t of counts?.keys() ?? []) tokens.add(t)
    fp.versions.forEach((_, v) => {
      let distance = 0
      for (const t of tokens) {
        let expected = 0
        for (const m of present) expected += m.perVersion[v]?.get(t) ?? 0
        distance += Math.abs((file.counts.get(fp.tokens[t]!) ?? 0) - expected)
      }
      scores[v]! -= distance
    })
  }
  if (patchedFiles.length === 0) return undefined
  const best = Math.max(...scores)
  return { versions: fp.versions.filter((_, v) => scores[v] === best), files: patchedFiles, modules: [...found].sort() }
}
