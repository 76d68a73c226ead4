import { createHash } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { PatchError } from './errors.js'
import { stringLiterals } from './internal/string-literals.js'
import { patchesDir } from './manifest.js'

/**
 * What the SDK's modules say, per release, in the one form that survives a
 * bundler: the string literals of each `dist/esm` module, with how often each
 * occurs, each literal stored as a short hash (the file holds no SDK text). `patches/fingerprints.json` holds them for every release the patch
 * set supports, generated from the pristine tarballs
 * (packages/tools/src/build-fingerprints.ts). The CLI compares another
 * package's files against them to tell that it bundled the SDK, and which
 * release.
 */
export interface Fingerprints {
  schema: 1
  packages: Record<string, PackageFingerprints>
}

export interface PackageFingerprints {
  /** The releases fingerprinted, oldest first; `ModuleVariant.in` indexes into it. */
  versions: string[]
  /** Modules holding code the patches change: a bundle with one of them runs unpatched session code. */
  patched: string[]
  /** The hash (`literalKey`) of every literal any module has; `ModuleVariant.counts` indexes into it. */
  tokens: string[]
  /** Per module (path under `dist/esm`), each distinct content once, with the releases that ship it. */
  modules: Record<string, ModuleVariant[]>
}

export interface ModuleVariant {
  in: number[]
  counts: Array<[token: number, count: number]>
}

/** Literals that carry a module's identity: long enough to be specific, and not relative import paths (bundlers inline those). */
const telling = (literal: string) => literal.length >= 6 && !/^\.\.?\//.test(literal)

/**
 * A literal's key in the fingerprints: 48 bits of its SHA-256, so that among
 * the few thousand literals of a bundle a false match is a one-in-ten-billion event.
 */
export function literalKey(literal: string): string {
  return createHash('sha256').update(literal).digest('hex').slice(0, 12)
}

/**
 * How often each telling literal occurs in a source text, by `literalKey`.
 *
 * @example
 * literalCounts('throw new Error("Session not found"); log("Session not found")') // Map { literalKey('Session not found') => 2 }
 */
export function literalCounts(source: string): Map<string, number> {
  const counts = new Map<string, number>()
  for (const literal of stringLiterals(source)) {
    if (!telling(literal)) continue
    const key = literalKey(literal)
    counts.set(key, (counts.get(key) ?? 0) + 1)
  }
  return counts
}

/** Modules with fewer telling literals than this say too little to be recognised. */
export const MIN_MODULE_LITERALS = 3

/**
 * Builds one package's fingerprints from its pristine releases: `esmDirs`
 * maps each version to its `dist/esm` folder, `files` lists the modules
 * (paths under `dist/esm`) to fingerprint.
 *
 * @example
 * buildPackageFingerprints({ '1.32.2': '/cache/sdk/1.32.2/package/dist/esm' }, ['client/streamableHttp.js'], ['client/streamableHttp.js'])
 */
export function buildPackageFingerprints(esmDirs: Record<string, string>, files: (version: string) => string[], patched: string[]): PackageFingerprints {
  const versions = Object.keys(esmDirs)
  const tokens: string[] = []
  const index = new Map<string, number>()
  const variants = new Map<string, Map<string, ModuleVariant>>()
  versions.forEach((version, v) => {
    for (const file of files(version)) {
      const counts = literalCounts(readFileSync(join(esmDirs[version]!, file), 'utf8'))
      if (counts.size < MIN_MODULE_LITERALS) continue
      const pairs = [...counts].map(([literal, n]): [number, number] => {
        if (!index.has(literal)) index.set(literal, tokens.push(literal) - 1)
        return [index.get(literal)!, n]
      })
      pairs.sort((a, b) => a[0] - b[0])
      const key = JSON.stringify(pairs)
      const mine = variants.get(file) ?? new Map<string, ModuleVariant>()
      variants.set(file, mine)
      const known = mine.get(key)
      if (known) known.in.push(v)
      else mine.set(key, { in: [v], counts: pairs })
    }
  })
  const modules: Record<string, ModuleVariant[]> = {}
  for (const file of [...variants.keys()].sort()) modules[file] = [...variants.get(file)!.values()]
  return { versions, patched: patched.filter(p => p in modules), tokens, modules }
}

/** Reads `patches/fingerprints.json`. */
export function readFingerprints(dir = patchesDir()): Fingerprints {
  const path = join(dir, 'fingerprints.json')
  if (!existsSync(path)) throw new PatchError('MCPS_PATCHES_MISSING', `Failed to find ${path}. Reinstall @mcp-sessions/patches.`)
  const fingerprints = JSON.parse(readFileSync(path, 'utf8')) as Fingerprints
  if (fingerprints.schema !== 1) throw new PatchError('MCPS_PATCHES_MISSING', `Failed to read ${path}: unknown format (schema ${String(fingerprints.schema)}). Reinstall @mcp-sessions/patches.`)
  return fingerprints
}
