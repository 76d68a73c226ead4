import { existsSync, readFileSync, readdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { PatchError } from './errors.js'

/**
 * The patch set's contract, in one place: the shape of `patches/manifest.json`,
 * where each package version's patches live, and the marker every fix leaves
 * in the files it changes. The builder writes it; the CLI, the proof harness
 * and the tools read it through these functions.
 */

/** The v1 SDK, one package for client and server. */
export const SDK_PACKAGE = '@modelcontextprotocol/sdk'

/** The v2 SDK's client package (2.x); its patches live in `patches/client/<version>/`. */
export const CLIENT_PACKAGE = '@modelcontextprotocol/client'

/**
 * The v2 SDK's server package (2.x); its patches live in `patches/server/<version>/`.
 * `@modelcontextprotocol/node` loads its transport from this package at run time, so patching it covers both.
 */
export const SERVER_PACKAGE = '@modelcontextprotocol/server'

/**
 * The v2 SDK's Node adapter. Its transport wraps `@modelcontextprotocol/server`'s, loaded at run time, so it
 * has no patches of its own: the manifest lists its releases with no fixes, which makes a copy of it covered
 * (by patching the server package) rather than unknown.
 */
export const NODE_PACKAGE = '@modelcontextprotocol/node'

/** `patched`: the set changes this package version; `not-affected`: it ships the behaviour already. */
export type FixState = 'patched' | 'not-affected'

/**
 * One fix as the manifest lists it. `number` orders the patches and names
 * the patch files (`…+<number>+<slug>.patch`).
 */
export interface FixInfo {
  number: string
  slug: string
  title: string
  bugs: string[]
  spec?: string
  test: string
  forwarded: string
  /**
   * Where the fix reads differently on another package (the v2 SDK): its own summary and proof test.
   * Absent for a package the fix does not target, and for the v1 SDK (the fields above).
   */
  packages?: Record<string, { title: string; test: string }>
}

/** One patched package: where its version folders are and what each fix does per version. */
export interface PackageEntry {
  /** Folder of this package's version folders, relative to the patch set root (`''` for the v1 SDK: `patches/<version>/`). */
  dir: string
  versions: Record<string, Record<string, FixState>>
}

/**
 * `patches/manifest.json`.
 *
 * @example
 * const manifest = readManifest()
 * manifest.packages['@modelcontextprotocol/sdk']?.versions['1.32.2']?.['1708-client-404'] // 'patched'
 */
export interface Manifest {
  schema: 2
  fixes: FixInfo[]
  packages: Record<string, PackageEntry>
}

/**
 * The marker a fix leaves on every line it changes; `status` looks for it.
 *
 * @example
 * marker('1708-client-404') // 'mcp-sessions:1708-client-404'
 */
export function marker(slug: string): string {
  return `mcp-sessions:${slug}`
}

const packageRoot = join(dirname(fileURLToPath(import.meta.url)), '..')

/**
 * The folder holding `manifest.json` and the version folders. A published
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
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Manifest
  if (manifest.schema !== 2) {
    throw new PatchError('MCPS_PATCHES_MISSING', `Failed to read ${join(dir, 'manifest.json')}: unknown format (schema ${String(manifest.schema)}). Reinstall @mcp-sessions/patches.`)
  }
  return manifest
}

/** The packages this release of the patch set has patches for, v1 SDK first. */
export function packageNames(manifest = readManifest()): string[] {
  return Object.keys(manifest.packages)
}

/**
 * The fixes that concern one package version, in patch order, with their state
 * and the summary that fits the package; `undefined` when the version is not supported.
 *
 * @example
 * fixesFor(readManifest(), CLIENT_PACKAGE, '2.4.0')?.map(f => `${f.slug} ${f.state}`)
 */
export function fixesFor(manifest: Manifest, pkg: string, version: string): Array<FixInfo & { state: FixState }> | undefined {
  const states = manifest.packages[pkg]?.versions[version]
  if (!states) return undefined
  return manifest.fixes
    .filter(fix => states[fix.slug] !== undefined)
    .map(fix => ({ ...fix, ...(fix.packages?.[pkg] ?? {}), state: states[fix.slug]! }))
}

/** The versions of `pkg` this release of the patch set supports, oldest first. */
export function supportedVersions(manifest = readManifest(), pkg = SDK_PACKAGE): string[] {
  return Object.keys(manifest.packages[pkg]?.versions ?? {})
}

/** Each fix's state for one package version; `undefined` when the version is not supported. */
export function fixStates(manifest: Manifest, version: string, pkg = SDK_PACKAGE): Record<string, FixState> | undefined {
  return manifest.packages[pkg]?.versions[version]
}

/** The folder of one package version's patches. */
export function versionDir(version: string, dir = patchesDir(), pkg = SDK_PACKAGE, manifest = readManifest(dir)): string {
  return join(dir, manifest.packages[pkg]?.dir ?? '', version)
}

/** The patch files for one package version, in the order patch-package applies them. */
export function patchFiles(version: string, dir = patchesDir(), pkg = SDK_PACKAGE): string[] {
  const folder = versionDir(version, dir, pkg)
  if (!existsSync(folder)) return []
  return readdirSync(folder).filter(f => f.endsWith('.patch')).sort().map(f => join(folder, f))
}

/** The package files (paths inside the package) a patch changes, read from its `diff --git` lines. */
export function filesInPatch(patchPath: string, pkg = SDK_PACKAGE): string[] {
  const prefix = `diff --git a/node_modules/${pkg}/`
  const files: string[] = []
  for (const line of readFileSync(patchPath, 'utf8').split('\n')) {
    if (!line.startsWith(prefix)) continue
    const file = line.slice(prefix.length).split(' ')[0]
    if (file) files.push(file)
  }
  return files
}
