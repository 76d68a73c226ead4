import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { moveIntoPlace } from './move-into-place.js'
import { cacheRoot } from './paths.js'
import { SDK_PACKAGE } from './versions.js'

/** One published release of a package. */
export interface Release {
  pkg: string
  version: string
}

/** `.cache/sdk/<version>` for the v1 SDK, `.cache/packages/<scope>+<name>/<version>` for the others. */
function releaseDir({ pkg, version }: Release): string {
  return pkg === SDK_PACKAGE ? join(cacheRoot, 'sdk', version) : join(cacheRoot, 'packages', pkg.replace('/', '+'), version)
}

const unpackedIn = (dir: string) => existsSync(join(dir, 'package', 'package.json'))
const isUnpacked = (release: Release) => unpackedIn(releaseDir(release))

/** npm pack's file name for a release: `@modelcontextprotocol/sdk@1.32.2` -> `modelcontextprotocol-sdk-1.32.2.tgz`. */
const tarballName = ({ pkg, version }: Release) => `${pkg.replace(/^@/, '').replace('/', '-')}-${version}.tgz`

/** `npm pack`s the releases (one npm process for all: each start costs about a second) into `dest`. */
function pack(releases: Release[], dest: string): void {
  execFileSync('npm', ['pack', ...releases.map(r => `${r.pkg}@${r.version}`), '--silent', '--pack-destination', dest], { stdio: ['ignore', 'ignore', 'inherit'] })
  for (const release of releases) {
    if (!existsSync(join(dest, tarballName(release)))) {
      throw new Error(`[mcp-sessions] Failed to fetch ${release.pkg}@${release.version}: npm pack produced no ${tarballName(release)}. Check the registry connection, then run the command again.`)
    }
  }
}

/**
 * Unpacks a fetched tarball into the release's cache folder, through a
 * sibling renamed into place. Test workers fetch at once on a cold cache: one
 * that finishes second keeps the first one's folder, which another worker may
 * be copying from, and removes only a folder left incomplete.
 */
function unpack(release: Release, tarball: string): void {
  const dir = releaseDir(release)
  const tmp = `${dir}.tmp-${process.pid}-${Date.now()}`
  mkdirSync(tmp, { recursive: true })
  try {
    execFileSync('tar', ['xzf', tarball], { cwd: tmp })
    moveIntoPlace(tmp, dir, unpackedIn)
  } finally {
    rmSync(tmp, { recursive: true, force: true })
  }
}

/**
 * Fetches every release not in the cache yet with one `npm pack` (so they
 * come from the registry npm is configured for). On a fresh clone the patch
 * builder needs 35 releases: fetched one by one, `patches:check` took 117 s,
 * against 83 s with one `npm pack`.
 */
export function prefetchPackages(releases: Release[]): void {
  const missing = releases.filter(r => !isUnpacked(r))
  if (!missing.length) return
  mkdirSync(cacheRoot, { recursive: true })
  const dest = mkdtempSync(join(cacheRoot, 'pack-'))
  try {
    pack(missing, dest)
    for (const release of missing) unpack(release, join(dest, tarballName(release)))
  } finally {
    rmSync(dest, { recursive: true, force: true })
  }
}

/**
 * Returns the folder of a pristine, unpacked release of `pkg`, fetching it
 * on first use (see {@link prefetchPackages}).
 *
 * @example
 * pristinePackage('@modelcontextprotocol/client', '2.4.0') // .cache/packages/@modelcontextprotocol+client/2.4.0/package
 */
export function pristinePackage(pkg: string, version: string): string {
  prefetchPackages([{ pkg, version }])
  return join(releaseDir({ pkg, version }), 'package')
}

/** A pristine release of the v1 SDK (see `pristinePackage`). */
export function pristineSdk(version: string): string {
  return pristinePackage(SDK_PACKAGE, version)
}
