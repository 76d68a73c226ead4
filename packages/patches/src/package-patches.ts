import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { basename, dirname, join, relative } from 'node:path'
import { detachHardLinks } from './detach.js'
import { PatchError } from './errors.js'
import { filesInPatch, fixesFor, marker, patchFiles, patchesDir, readManifest, supportedVersions, versionDir, type Manifest } from './manifest.js'
import type { FixPresence, FixStatus } from './status.js'

/**
 * Status and apply for one installed copy of any package the manifest lists
 * (the v1 SDK, `@modelcontextprotocol/client`, `/server`), wherever it is
 * installed. The CLI builds on these; the proof harness patches its matrix
 * cells with them.
 */

/** One installed copy of a package: its name, its folder and the version its package.json says. */
export interface InstalledPackage {
  name: string
  dir: string
  version: string
}

export interface PackageStatus {
  name: string
  version: string
  dir: string
  supported: boolean
  /** The fixes that concern this package version (none when unsupported). */
  fixes: FixStatus[]
}

/**
 * Reads a package's name and version by path (exports maps may hide `package.json`).
 *
 * @example
 * readInstalledPackage('node_modules/@modelcontextprotocol/client') // { name, dir, version: '2.4.0' }
 */
export function readInstalledPackage(dir: string): InstalledPackage {
  const file = join(dir, 'package.json')
  if (!existsSync(file)) throw new PatchError('MCPS_SDK_NOT_INSTALLED', `Failed to read ${file}: no package there. Run mcp-sessions-patch from your app's root, after installing.`)
  const { name, version } = JSON.parse(readFileSync(file, 'utf8')) as { name: string; version: string }
  return { name, dir, version }
}

/**
 * Which fixes an installed package carries, read from the marker each patch
 * leaves in every file it changes.
 *
 * @example
 * packageStatus(readInstalledPackage('node_modules/@modelcontextprotocol/client')).fixes
 */
export function packageStatus(pkg: InstalledPackage, manifest: Manifest = readManifest(), dir = patchesDir()): PackageStatus {
  const fixes = fixesFor(manifest, pkg.name, pkg.version)
  if (!fixes) return { name: pkg.name, version: pkg.version, dir: pkg.dir, supported: false, fixes: [] }
  const patches = existsSync(versionDir(pkg.version, dir, pkg.name, manifest)) ? patchFiles(pkg.version, dir, pkg.name) : []
  return {
    name: pkg.name,
    version: pkg.version,
    dir: pkg.dir,
    supported: true,
    fixes: fixes.map((fix): FixStatus => {
      if (fix.state !== 'patched') return { slug: fix.slug, title: fix.title, presence: 'not-affected', missingIn: [] }
      const patch = patches.find(p => basename(p).endsWith(`+${fix.number}+${fix.slug}.patch`))
      const files = patch ? filesInPatch(patch, pkg.name) : []
      const missingIn = files.filter(f => {
        const path = join(pkg.dir, f)
        return !existsSync(path) || !readFileSync(path, 'utf8').includes(marker(fix.slug))
      })
      const presence: FixPresence = files.length === 0 || missingIn.length === files.length ? 'missing' : missingIn.length ? 'partial' : 'applied'
      return { slug: fix.slug, title: fix.title, presence, missingIn }
    })
  }
}

const incomplete = (s: PackageStatus) => s.fixes.filter(f => f.presence === 'missing' || f.presence === 'partial')

function patchPackageBin(): string {
  const require = createRequire(import.meta.url)
  return join(dirname(require.resolve('patch-package/package.json')), 'index.js')
}

/**
 * Applies the patch set to one installed package with patch-package
 * (`--error-on-fail`), run from `appRoot` (the folder whose `node_modules`
 * holds it). Idempotent; throws a `PatchError` for an unsupported version, a
 * patch that did not apply, or fixes missing afterwards.
 *
 * @example
 * applyPackagePatches(appRoot, readInstalledPackage(join(appRoot, 'node_modules/@modelcontextprotocol/client')))
 */
export function applyPackagePatches(appRoot: string, pkg: InstalledPackage, options: { quiet?: boolean } = {}): { outcome: 'applied' | 'already-applied'; status: PackageStatus } {
  const dir = patchesDir()
  const manifest = readManifest(dir)
  const before = packageStatus(pkg, manifest, dir)
  if (!before.supported) {
    throw new PatchError(
      'MCPS_SDK_UNSUPPORTED',
      `${pkg.name} ${pkg.version} (${pkg.dir}) is not supported by this release of @mcp-sessions/patches. ` +
        `Supported versions: ${supportedVersions(manifest, pkg.name).join(', ') || 'none'}. Install one of them (npm install ${pkg.name}@<version>) or upgrade @mcp-sessions/patches.`
    )
  }
  if (incomplete(before).length === 0) return { outcome: 'already-applied', status: before }
  const folder = versionDir(pkg.version, dir, pkg.name, manifest)
  if (!existsSync(folder)) throw new PatchError('MCPS_PATCHES_MISSING', `Failed to find ${folder}. Reinstall @mcp-sessions/patches.`)
  // pnpm and bun link package files to a shared store; patch our own copies, never the store.
  detachHardLinks(pkg.dir, patchFiles(pkg.version, dir, pkg.name).flatMap(p => filesInPatch(p, pkg.name)))
  const result = spawnSync(process.execPath, [patchPackageBin(), '--patch-dir', relative(appRoot, folder), '--error-on-fail'], { cwd: appRoot, stdio: options.quiet ? 'pipe' : 'inherit', encoding: 'utf8' })
  if (result.status !== 0) {
    const output = options.quiet ? `\n${result.stdout ?? ''}${result.stderr ?? ''}` : ''
    throw new PatchError(
      'MCPS_PATCH_FAILED',
      `Failed to apply the patches in ${folder} to ${pkg.dir} (patch-package exited ${result.status}).${output}\n` +
        `If it was patched by an older release of @mcp-sessions/patches, reinstall it (rm -rf ${relative(appRoot, pkg.dir)} && npm install) and run mcp-sessions-patch apply again.`
    )
  }
  const after = packageStatus(pkg, manifest, dir)
  const missing = incomplete(after)
  if (missing.length) {
    throw new PatchError('MCPS_PATCH_INCOMPLETE', `patch-package reported success, but these fixes are not in ${pkg.dir}: ${missing.map(f => `${f.slug} (${f.missingIn.join(', ')})`).join('; ')}. Run mcp-sessions-patch status for details.`)
  }
  return { outcome: 'applied', status: after }
}
