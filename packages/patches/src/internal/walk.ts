import { existsSync, readFileSync, readdirSync, realpathSync, statSync, type Dirent } from 'node:fs'
import { join } from 'node:path'
import { PatchError } from '../errors.js'

/** One installed package folder, as the walk found it. */
export interface InstalledPackage {
  name: string
  version: string
  /** The folder where it was found (under a `node_modules`, possibly a symlink). */
  dir: string
  /** The folder's real path: what Node resolves and loads from. */
  realDir: string
  /** Names the package declares in dependencies, peerDependencies or optionalDependencies. */
  declares: string[]
  bugs?: string
}

/** Bounds on the walk, so a pathological tree ends it with an error instead of running for ever. */
export interface WalkLimits {
  /** Package folders visited; default 50,000. */
  packages: number
  /** `node_modules` folders nested inside each other; default 40. */
  depth: number
}

export const defaultWalkLimits: WalkLimits = { packages: 50_000, depth: 40 }

interface PackageJson {
  name?: unknown
  version?: unknown
  dependencies?: Record<string, string>
  peerDependencies?: Record<string, string>
  optionalDependencies?: Record<string, string>
  devDependencies?: Record<string, string>
  bugs?: unknown
  repository?: unknown
}

/** Reads a package.json; undefined when there is none or it is not JSON. */
export function readPackageJson(dir: string): PackageJson | undefined {
  try {
    return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as PackageJson
  } catch {
    return undefined
  }
}

/** Where to report a problem with a package: its `bugs` URL, else its GitHub repository's issues. */
function bugsUrl(pkg: PackageJson): string | undefined {
  const bugs = typeof pkg.bugs === 'string' ? pkg.bugs : (pkg.bugs as { url?: unknown } | undefined)?.url
  if (typeof bugs === 'string') return bugs
  const repo = typeof pkg.repository === 'string' ? pkg.repository : (pkg.repository as { url?: unknown } | undefined)?.url
  const github = typeof repo === 'string' ? /github\.com[/:]([^/]+\/[^/#]+?)(?:\.git)?(?:#.*)?$/.exec(repo) : null
  return github ? `https://github.com/${github[1]}/issues` : undefined
}

/** The names a package.json declares (the app's own devDependencies count: an app loads them). */
export function declaredNames(pkg: PackageJson, withDev = false): string[] {
  const lists = [pkg.dependencies, pkg.peerDependencies, pkg.optionalDependencies, withDev ? pkg.devDependencies : undefined]
  return [...new Set(lists.flatMap(l => Object.keys(l ?? {})))]
}

function entries(dir: string): Dirent[] {
  try {
    return readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  } catch {
    return []
  }
}

const isDir = (path: string) => {
  try {
    return statSync(path).isDirectory()
  } catch {
    return false
  }
}

/**
 * Every package folder under `root/node_modules`, in every layout the package
 * managers use: npm, yarn (node-modules linker) and bun put packages in
 * `node_modules/<name>` and nest conflicting versions in
 * `node_modules/<parent>/node_modules/<name>`; pnpm keeps one real folder per
 * version and peer set in `node_modules/.pnpm/<name>@<version>_<peers>/node_modules/<name>`
 * (bun's isolated linker: `node_modules/.bun/…`), with symlinks everywhere
 * else; workspaces link to folders outside `node_modules`.
 *
 * Symlinks are followed, and every folder is visited once by its real path,
 * so a link cycle or a package reached through many links costs one visit.
 * `.bin` and caches are skipped. Throws `MCPS_WALK_LIMIT` past `limits`.
 *
 * @example
 * const packages = walkPackages('/srv/app')
 * packages.filter(p => p.name === '@modelcontextprotocol/sdk').map(p => p.dir)
 */
export function walkPackages(root: string, limits: WalkLimits = defaultWalkLimits): InstalledPackage[] {
  const found: InstalledPackage[] = []
  const seen = new Set<string>()
  const limit = (what: string) =>
    new PatchError('MCPS_WALK_LIMIT', `Failed to inspect ${join(root, 'node_modules')}: ${what}. The walk stops there rather than run unbounded; please report this with the output of \`npm ls --all\`.`)

  const visitPackage = (dir: string, depth: number) => {
    let realDir: string
    try {
      realDir = realpathSync(dir)
    } catch {
      return
    }
    if (seen.has(realDir)) return
    seen.add(realDir)
    const pkg = readPackageJson(realDir)
    if (pkg && typeof pkg.name === 'string') {
      if (found.length >= limits.packages) throw limit(`more than ${limits.packages} packages`)
      found.push({ name: pkg.name, version: typeof pkg.version === 'string' ? pkg.version : '0.0.0', dir, realDir, declares: declaredNames(pkg), bugs: bugsUrl(pkg) })
    }
    const nested = join(realDir, 'node_modules')
    if (isDir(nested)) visitNodeModules(nested, depth + 1)
  }

  const visitNodeModules = (dir: string, depth: number) => {
    if (depth > limits.depth) throw limit(`node_modules nested more than ${limits.depth} deep at ${dir}`)
    for (const entry of entries(dir)) {
      const path = join(dir, entry.name)
      if (entry.name === '.bin' || entry.name === '.cache') continue
      if (entry.name.startsWith('@')) {
        for (const scoped of entries(path)) visitPackage(join(path, scoped.name), depth)
      } else if (entry.name.startsWith('.')) {
        // A virtual store (.pnpm, .bun): one folder per package version, each with its own node_modules.
        for (const variant of entries(path)) {
          const inner = join(path, variant.name, 'node_modules')
          if (isDir(inner)) visitNodeModules(inner, depth + 1)
        }
      } else if (entry.isDirectory() || entry.isSymbolicLink()) visitPackage(path, depth)
    }
  }

  const top = join(root, 'node_modules')
  if (existsSync(top)) visitNodeModules(top, 0)
  return found
}
