import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { cacheRoot } from './paths.js'
import { SDK_PACKAGE } from './versions.js'

/**
 * Returns the folder of a pristine, unpacked release of `pkg`, fetching its
 * tarball with `npm pack` (so it comes from the registry npm is configured for)
 * on first use. The v1 SDK stays in `.cache/sdk/<version>`; other packages go
 * to `.cache/packages/<scope>+<name>/<version>`.
 *
 * @example
 * pristinePackage('@modelcontextprotocol/client', '2.4.0') // .cache/packages/@modelcontextprotocol+client/2.4.0/package
 */
export function pristinePackage(pkg: string, version: string): string {
  const dir = pkg === SDK_PACKAGE ? join(cacheRoot, 'sdk', version) : join(cacheRoot, 'packages', pkg.replace('/', '+'), version)
  const unpacked = join(dir, 'package')
  if (existsSync(join(unpacked, 'package.json'))) return unpacked
  const tmp = `${dir}.tmp-${process.pid}`
  rmSync(tmp, { recursive: true, force: true })
  mkdirSync(tmp, { recursive: true })
  execFileSync('npm', ['pack', `${pkg}@${version}`, '--silent', '--pack-destination', tmp], { stdio: ['ignore', 'ignore', 'inherit'] })
  const tarball = readdirSync(tmp).find(f => f.endsWith('.tgz'))
  if (!tarball) throw new Error(`[mcp-sessions] Failed to fetch ${pkg}@${version}: npm pack produced no tarball.`)
  execFileSync('tar', ['xzf', tarball], { cwd: tmp })
  rmSync(dir, { recursive: true, force: true })
  renameSync(tmp, dir)
  return unpacked
}

/** A pristine release of the v1 SDK (see `pristinePackage`). */
export function pristineSdk(version: string): string {
  return pristinePackage(SDK_PACKAGE, version)
}
