import { fixStates, readManifest, type FixState } from '@mcp-sessions/patches'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'

/** The matrix cell this test file runs in, from the project's environment (vitest.config.ts). */
export interface Cell {
  dir: string
  version: string
  patched: boolean
  /** The SDK folder inside the cell. */
  sdkDir: string
}

export function currentCell(): Cell {
  const dir = process.env.MCPS_CELL
  const version = process.env.MCPS_SDK_VERSION
  if (!dir || !version) {
    throw new Error('[mcp-sessions] This test runs inside a matrix cell. Run it through `npm test` or `npm run proof`, which install the cells and set MCPS_CELL.')
  }
  return { dir, version, patched: process.env.MCPS_PATCHED === '1', sdkDir: join(dir, 'node_modules', '@modelcontextprotocol', 'sdk') }
}

export type ModuleFlavor = 'esm' | 'cjs'

/** Loads `dist/<flavor>/<subpath>` of the cell's SDK: through `import` for esm, `require` for cjs. */
export async function loadSdk<T = any>(subpath: string, flavor: ModuleFlavor, cell = currentCell()): Promise<T> {
  const file = join(cell.sdkDir, 'dist', flavor, subpath)
  if (flavor === 'cjs') return createRequire(join(cell.dir, 'package.json'))(file) as T
  return (await import(pathToFileURL(file).href)) as T
}

export const flavors: ModuleFlavor[] = ['esm', 'cjs']


/** Whether the patch set changes `slug` for this cell's SDK version (`patches/manifest.json`). */
export function fixState(slug: string, cell = currentCell()): FixState {
  const state = fixStates(readManifest(), cell.version)?.[slug]
  if (!state) throw new Error(`[mcp-sessions] patches/manifest.json has no entry for fix "${slug}" on SDK ${cell.version}. Run npm run patches:build.`)
  return state
}
