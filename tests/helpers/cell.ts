import { SDK_PACKAGE, fixStates, readManifest, type FixState } from '@mcp-sessions/patches'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'

/** The matrix cell this test file runs in, from the project's environment (vitest.config.ts). */
export interface Cell {
  dir: string
  /** The package the cell holds: the v1 SDK, or `@modelcontextprotocol/client` / `/server`. */
  pkg: string
  version: string
  patched: boolean
  /** The package's folder inside the cell (for the v1 SDK, the SDK folder). */
  sdkDir: string
}

export function currentCell(): Cell {
  const dir = process.env.MCPS_CELL
  const version = process.env.MCPS_SDK_VERSION
  if (!dir || !version) {
    throw new Error('[mcp-sessions] This test runs inside a matrix cell. Run it through `npm test` or `npm run proof`, which install the cells and set MCPS_CELL.')
  }
  const pkg = process.env.MCPS_PACKAGE || SDK_PACKAGE
  return { dir, pkg, version, patched: process.env.MCPS_PATCHED === '1', sdkDir: join(dir, 'node_modules', ...pkg.split('/')) }
}

export type ModuleFlavor = 'esm' | 'cjs'

/** Loads `dist/<flavor>/<subpath>` of the cell's SDK: through `import` for esm, `require` for cjs. */
export async function loadSdk<T = any>(subpath: string, flavor: ModuleFlavor, cell = currentCell()): Promise<T> {
  const file = join(cell.sdkDir, 'dist', flavor, subpath)
  if (flavor === 'cjs') return createRequire(join(cell.dir, 'package.json'))(file) as T
  return (await import(pathToFileURL(file).href)) as T
}

/**
 * Loads a v2 package installed in the cell (by default the one under test) as
 * an app does: `import` gets its `exports` import entry (`dist/index.mjs`),
 * `require` its require entry (`dist/index.cjs`).
 *
 * @example
 * const { Client, StreamableHTTPClientTransport } = await loadPackage('esm')
 */
export async function loadPackage<T = any>(flavor: ModuleFlavor, name = currentCell().pkg, cell = currentCell()): Promise<T> {
  if (name === SDK_PACKAGE) throw new Error('[mcp-sessions] loadPackage() is for the v2 packages; a v1 cell loads files with loadSdk().')
  if (flavor === 'cjs') return createRequire(join(cell.dir, 'package.json'))(name) as T
  const dir = join(cell.dir, 'node_modules', ...name.split('/'))
  const exports = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).exports as Record<string, { import: { default: string } }>
  return (await import(pathToFileURL(join(dir, exports['.']!.import.default)).href)) as T
}

export const flavors: ModuleFlavor[] = ['esm', 'cjs']

/** Whether the patch set changes `slug` for this cell's package version (`patches/manifest.json`). */
export function fixState(slug: string, cell = currentCell()): FixState {
  const state = fixStates(readManifest(), cell.version, cell.pkg)?.[slug]
  if (!state) throw new Error(`[mcp-sessions] patches/manifest.json has no entry for fix "${slug}" on ${cell.pkg} ${cell.version}. Run npm run patches:build.`)
  return state
}
