import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { cacheRoot } from './paths.js'
import { SDK_PACKAGE } from './versions.js'

/**
 * Returns the folder of a pristine, unpacked SDK release, fetching its tarball
 * with `npm pack` (so it comes from the registry npm is configured for) on first use.
 */
export function pristineSdk(version: string): string {
  const dir = join(cacheRoot, 'sdk', version)
  const pkg = join(dir, 'package')
  if (existsSync(join(pkg, 'package.json'))) return pkg
  const tmp = `${dir}.tmp-${process.pid}`
  rmSync(tmp, { recursive: true, force: true })
  mkdirSync(tmp, { recursive: true })
  execFileSync('npm', ['pack', `${SDK_PACKAGE}@${version}`, '--silent', '--pack-destination', tmp], { stdio: ['ignore', 'ignore', 'inherit'] })
  const tarball = readdirSync(tmp).find(f => f.endsWith('.tgz'))
  if (!tarball) throw new Error(`[mcp-sessions] Failed to fetch ${SDK_PACKAGE}@${version}: npm pack produced no tarball.`)
  execFileSync('tar', ['xzf', tarball], { cwd: tmp })
  rmSync(dir, { recursive: true, force: true })
  renameSync(tmp, dir)
  return pkg
}
