import { existsSync, realpathSync } from 'node:fs'
import { isAbsolute, relative } from 'node:path'
import { readFingerprints, type Fingerprints } from './fingerprints.js'
import { lookupPackage } from './internal/resolve.js'
import { scanHost } from './internal/scan-host.js'
import type { InstalledPackage, WalkLimits } from './installed-package.js'
import { declaredNames, readPackageJson, walkPackages } from './internal/walk.js'
import { fixStates, patchesDir, readManifest, type Manifest } from './manifest.js'
import { isCovered, SDK_FAMILY, watchedPackages } from './packages.js'
import { problemOf } from './problems.js'

/**
 * - `supported`: this release has the patches for this package and version.
 * - `unsupported-version`: it patches this package, not this version.
 * - `not-covered`: it patches no version of this package (the v2 packages, until a release covers them).
 * - `bundled`: the SDK's code was copied into another package's files, where no patch reaches it.
 */
export type Coverage = 'supported' | 'unsupported-version' | 'not-covered' | 'bundled'

/** A package (or the app) that loads a copy: resolving the SDK from its folder lands on that copy. */
export interface Loader {
  name: string
  version: string
  /** Its folder, relative to the app root; `.` for the app itself. */
  path: string
  app?: true
}

/** One copy of an SDK package in an install. */
export interface SdkCopy {
  /** `package`: an installed package folder; `bundled`: code inside another package's files. */
  kind: 'package' | 'bundled'
  package: string
  /** The version; for a bundled copy the release(s) its content matches, joined with " or ". */
  version: string
  versions: string[]
  /** The copy's real folder relative to the app root (for a bundled copy: the host package's). */
  path: string
  /** The same, absolute. */
  dir: string
  coverage: Coverage
  loadedBy: Loader[]
  /** For a bundled copy: the package whose files hold it, where to report that upstream. */
  host?: { name: string; version: string; files: string[]; bugs?: string }
  /** Why the copy cannot be patched and what to do, for every coverage but `supported`. */
  problem?: string
}

export interface Install {
  root: string
  copies: SdkCopy[]
  /** Every package folder the walk found. */
  packages: InstalledPackage[]
  /** The patch set the copies were judged by (its folder and manifest). */
  patchesDir: string
  manifest: Manifest
}

export interface FindOptions {
  /** The patch set's folder (manifest.json, fingerprints.json, version folders); default: the package's own. */
  patchesDir?: string
  manifest?: Manifest
  fingerprints?: Fingerprints
  limits?: WalkLimits
}

function shown(root: string, dir: string): string {
  const rel = relative(root, dir)
  return rel === '' ? '.' : rel.startsWith('..') || isAbsolute(rel) ? dir : rel
}

function coverageOf(manifest: Manifest, pkg: string, version: string): Coverage {
  if (!isCovered(manifest, pkg)) return 'not-covered'
  return fixStates(manifest, version, pkg) ? 'supported' : 'unsupported-version'
}

/**
 * Every copy of the SDK's session packages in the install at `root`: each
 * installed folder of `@modelcontextprotocol/sdk` (and the v2 packages),
 * wherever the package manager put it, plus every copy bundled into another
 * package's files (found by content, see `fingerprints.ts`). For each copy,
 * which packages load it: Node's lookup from each dependent package's folder.
 *
 * @example
 * const { copies } = findCopies('/srv/app')
 * copies.filter(c => c.coverage !== 'supported').map(c => c.problem)
 */
export function findCopies(root: string, options: FindOptions = {}): Install {
  const dir = options.patchesDir ?? patchesDir()
  const manifest = options.manifest ?? readManifest(dir)
  const fingerprints = options.fingerprints ?? readFingerprints(dir)
  const realRoot = existsSync(root) ? realpathSync(root) : root
  const watched = watchedPackages(manifest)
  const packages = walkPackages(realRoot, options.limits)
  const appPkg = readPackageJson(realRoot)
  const app: Loader = { name: typeof appPkg?.name === 'string' ? appPkg.name : '(app)', version: typeof appPkg?.version === 'string' ? appPkg.version : '', path: '.', app: true }
  const appDeclares = appPkg ? declaredNames(appPkg, true) : []

  // The app may resolve a copy outside its own node_modules (a workspace root's, a parent folder's).
  const outside = watched.map(name => (appDeclares.includes(name) ? lookupPackage(realRoot, name) : undefined)).filter((d): d is string => !!d && !packages.some(p => p.realDir === d))
  for (const dir of outside) {
    const pkg = readPackageJson(dir)
    if (typeof pkg?.name === 'string') packages.push({ name: pkg.name, version: String(pkg.version ?? '0.0.0'), dir, realDir: dir, declares: declaredNames(pkg) })
  }

  const loadersOf = (name: string, realDir: string): Loader[] => {
    const loaders: Loader[] = appDeclares.includes(name) && lookupPackage(realRoot, name) === realDir ? [app] : []
    for (const p of packages) {
      if (p.declares.includes(name) && lookupPackage(p.realDir, name) === realDir) loaders.push({ name: p.name, version: p.version, path: shown(realRoot, p.realDir) })
    }
    return loaders
  }

  const copies: SdkCopy[] = []
  for (const p of packages) {
    if (watched.includes(p.name)) {
      const copy: SdkCopy = { kind: 'package', package: p.name, version: p.version, versions: [p.version], path: shown(realRoot, p.realDir), dir: p.realDir, coverage: coverageOf(manifest, p.name, p.version), loadedBy: loadersOf(p.name, p.realDir) }
      copies.push({ ...copy, problem: problemOf(copy, manifest) })
    } else if (!SDK_FAMILY.includes(p.name)) {
      for (const match of scanHost(p.realDir, fingerprints)) {
        const copy: SdkCopy = {
          kind: 'bundled',
          package: match.package,
          version: match.versions.join(' or '),
          versions: match.versions,
          path: shown(realRoot, p.realDir),
          dir: p.realDir,
          coverage: 'bundled',
          loadedBy: loadersOf(p.name, p.realDir),
          host: { name: p.name, version: p.version, files: match.files, bugs: p.bugs }
        }
        copies.push({ ...copy, problem: problemOf(copy, manifest) })
      }
    }
  }
  return { root: realRoot, copies, packages, patchesDir: dir, manifest }
}
