/**
 * Matrix cells: for each supported release of each package the patch set
 * covers (the v1 SDK, `@modelcontextprotocol/client` and `/server`), a tiny app
 * with that exact version installed twice, once as published (`plain`) and
 * once patched by the CLI's apply (`patched`). Cells live in `.matrix/` (not
 * committed; `.matrix/1.32.2/`, `.matrix/client@2.4.0/`) and are reused while
 * the patches for their version are unchanged.
 *
 *   npm run matrix -- install [cells...]     e.g. 1.32.2 client@2.4.0 (default: MCPS_VERSIONS, else all)
 */
import { spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { applyPatches, patchFiles, readManifest } from '@mcp-sessions/patches'
import { cellDependencies, cellKey, selectCells, type CellId } from './cells.js'
import { matrixRoot } from './paths.js'
import { SDK_PACKAGE } from './versions.js'

export type Flavor = 'plain' | 'patched'
export type { CellId } from './cells.js'

const asCell = (cell: string | CellId): CellId => (typeof cell === 'string' ? { pkg: SDK_PACKAGE, version: cell } : cell)

/** The folder of one cell: `.matrix/<version>/<flavor>` for the v1 SDK, `.matrix/client@<version>/<flavor>` for v2. */
export const cellDir = (cell: string | CellId, flavor: Flavor) => join(matrixRoot, cellKey(asCell(cell), readManifest()), flavor)

/** What a cell's `.mcps-stamp` says: the version for the v1 SDK (as before v2 support), `<package> <version>` otherwise. */
const stampOf = (cell: CellId) => (cell.pkg === SDK_PACKAGE ? cell.version : `${cell.pkg} ${cell.version}`)

function patchesHash(cell: CellId): string {
  const h = createHash('sha256')
  for (const [pkg, version] of Object.entries(cellDependencies(cell))) for (const f of patchFiles(version, undefined, pkg)) h.update(readFileSync(f))
  return h.digest('hex').slice(0, 16)
}

function npmInstall(dir: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', '--no-package-lock', '--loglevel=error'], { cwd: dir, stdio: ['ignore', 'inherit', 'inherit'] })
    child.on('error', reject)
    child.on('exit', code => (code === 0 ? resolve() : reject(new Error(`[mcp-sessions] npm install failed in ${dir} (exit ${code}).`))))
  })
}

async function ensurePlain(cell: CellId): Promise<void> {
  const dir = cellDir(cell, 'plain')
  const stamp = join(dir, '.mcps-stamp')
  const want = stampOf(cell)
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === want) return
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(dir, { recursive: true })
  const name = `mcps-cell-${cell.pkg.replace(/[@/]/g, '-').replace(/^-+/, '')}-${cell.version.replaceAll('.', '-')}`
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, private: true, type: 'module', dependencies: cellDependencies(cell) }, null, 2) + '\n')
  await npmInstall(dir)
  writeFileSync(stamp, want)
}

function ensurePatched(cell: CellId): void {
  const dir = cellDir(cell, 'patched')
  const stamp = join(dir, '.mcps-stamp')
  const want = `${stampOf(cell)} ${patchesHash(cell)}`
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === want) return
  rmSync(dir, { recursive: true, force: true })
  cpSync(cellDir(cell, 'plain'), dir, { recursive: true })
  // The CLI's apply, as an app's postinstall runs it: every copy in the cell (a server cell's client too).
  applyPatches(dir, { quiet: true })
  writeFileSync(stamp, want)
}

/** Installs (or reuses) both cells of every requested release (a string is a v1 SDK version); installs run in parallel. */
export async function ensureCells(cells: Array<string | CellId>): Promise<void> {
  const limit = 3
  const queue = cells.map(asCell)
  const all = [...queue]
  await Promise.all(
    Array.from({ length: Math.min(limit, queue.length) }, async () => {
      for (let c = queue.shift(); c; c = queue.shift()) await locked(cellKey(c, readManifest()), () => ensurePlain(c))
    })
  )
  for (const c of all) await locked(cellKey(c, readManifest()), async () => ensurePatched(c))
}

/**
 * Runs `work` while holding the cell's lock (a directory: `mkdir` is atomic), so test files and tools that
 * ensure the same cell at once do not install over each other. A lock older than 10 minutes is a crashed
 * holder's and is taken over.
 */
async function locked(key: string, work: () => Promise<void>): Promise<void> {
  const lock = join(matrixRoot, `${key}.lock`)
  mkdirSync(matrixRoot, { recursive: true })
  for (let waited = 0; ; waited += 200) {
    try {
      mkdirSync(lock)
      break
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
      const age = Date.now() - (statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now())
      if (age > 10 * 60_000) rmSync(lock, { recursive: true, force: true })
      else if (waited > 15 * 60_000) throw new Error(`[mcp-sessions] Failed to install the matrix cell ${key}: ${lock} has been held for 15 minutes. Remove it if no install is running.`)
      else await new Promise(resolve => setTimeout(resolve, 200))
    }
  }
  try {
    await work()
  } finally {
    rmSync(lock, { recursive: true, force: true })
  }
}

/** The cells `MCPS_VERSIONS` selects (see cells.ts), or every cell in the manifest. */
export function selectedCells(): CellId[] {
  return selectCells(readManifest(), process.env.MCPS_VERSIONS)
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [command, ...wanted] = process.argv.slice(2)
  if (command !== 'install') {
    console.error('Usage: npm run matrix -- install [cells...]   (1.32.2, client@2.4.0, server, v1, v2)')
    process.exit(2)
  }
  const list = wanted.length ? selectCells(readManifest(), wanted.join(',')) : selectedCells()
  await ensureCells(list)
  for (const c of list) console.log(`${cellKey(c, readManifest())}: ${cellDir(c, 'plain')} and ${cellDir(c, 'patched')}`)
}
