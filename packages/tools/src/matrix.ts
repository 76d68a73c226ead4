/**
 * Matrix cells: for each supported SDK version, a tiny app with that exact
 * version installed twice, once as published (`plain`) and once patched by
 * `mcp-sessions-patch apply` (`patched`). Cells live in `.matrix/` (not
 * committed) and are reused while the patches for their version are unchanged.
 *
 *   npm run matrix -- install [versions...]
 */
import { spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { applyPatches, patchFiles, readManifest, supportedVersions } from '@mcp-sessions/patches'
import { matrixRoot } from './paths.js'
import { SDK_PACKAGE } from './versions.js'

export type Flavor = 'plain' | 'patched'

export const cellDir = (version: string, flavor: Flavor) => join(matrixRoot, version, flavor)

function patchesHash(version: string): string {
  const h = createHash('sha256')
  for (const f of patchFiles(version)) h.update(readFileSync(f))
  return h.digest('hex').slice(0, 16)
}

function npmInstall(dir: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', '--no-package-lock', '--loglevel=error'], { cwd: dir, stdio: ['ignore', 'inherit', 'inherit'] })
    child.on('error', reject)
    child.on('exit', code => (code === 0 ? resolve() : reject(new Error(`[mcp-sessions] npm install failed in ${dir} (exit ${code}).`))))
  })
}

async function ensurePlain(version: string): Promise<void> {
  const dir = cellDir(version, 'plain')
  const stamp = join(dir, '.mcps-stamp')
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === version) return
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(dir, { recursive: true })
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: `mcps-cell-${version.replaceAll('.', '-')}`, private: true, type: 'module', dependencies: { [SDK_PACKAGE]: version } }, null, 2) + '\n')
  await npmInstall(dir)
  writeFileSync(stamp, version)
}

function ensurePatched(version: string): void {
  const dir = cellDir(version, 'patched')
  const stamp = join(dir, '.mcps-stamp')
  const want = `${version} ${patchesHash(version)}`
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === want) return
  rmSync(dir, { recursive: true, force: true })
  cpSync(cellDir(version, 'plain'), dir, { recursive: true })
  applyPatches(dir, { quiet: true })
  writeFileSync(stamp, want)
}

/** Installs (or reuses) both cells of every requested version; versions install in parallel. */
export async function ensureCells(versions: string[]): Promise<void> {
  const limit = 3
  const queue = [...versions]
  await Promise.all(
    Array.from({ length: Math.min(limit, queue.length) }, async () => {
      for (let v = queue.shift(); v; v = queue.shift()) await locked(v, () => ensurePlain(v))
    })
  )
  for (const v of versions) await locked(v, async () => ensurePatched(v))
}

/**
 * Runs `work` while holding the version's cell lock (a directory: `mkdir` is atomic), so test files and tools
 * that ensure the same cell at once do not install over each other. A lock older than 10 minutes is a crashed
 * holder's and is taken over.
 */
async function locked(version: string, work: () => Promise<void>): Promise<void> {
  const lock = join(matrixRoot, `${version}.lock`)
  mkdirSync(matrixRoot, { recursive: true })
  for (let waited = 0; ; waited += 200) {
    try {
      mkdirSync(lock)
      break
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
      const age = Date.now() - (statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now())
      if (age > 10 * 60_000) rmSync(lock, { recursive: true, force: true })
      else if (waited > 15 * 60_000) throw new Error(`[mcp-sessions] Failed to install the matrix cell ${version}: ${lock} has been held for 15 minutes. Remove it if no install is running.`)
      else await new Promise(resolve => setTimeout(resolve, 200))
    }
  }
  try {
    await work()
  } finally {
    rmSync(lock, { recursive: true, force: true })
  }
}

/** Versions from `MCPS_VERSIONS` (comma-separated) or every version in the manifest. */
export function selectedVersions(): string[] {
  const all = supportedVersions(readManifest())
  const wanted = process.env.MCPS_VERSIONS?.split(',').map(s => s.trim()).filter(Boolean)
  if (!wanted?.length) return all
  const unknown = wanted.filter(v => !all.includes(v))
  if (unknown.length) throw new Error(`[mcp-sessions] MCPS_VERSIONS names unsupported versions: ${unknown.join(', ')}. Supported: ${all.join(', ')}.`)
  return wanted
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [command, ...versions] = process.argv.slice(2)
  if (command !== 'install') {
    console.error('Usage: npm run matrix -- install [versions...]')
    process.exit(2)
  }
  const list = versions.length ? versions : selectedVersions()
  await ensureCells(list)
  for (const v of list) console.log(`${v}: ${cellDir(v, 'plain')} and ${cellDir(v, 'patched')}`)
}
