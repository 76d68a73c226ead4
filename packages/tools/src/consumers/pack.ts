import { cpSync, mkdirSync, symlinkSync } from 'node:fs'
import { join } from 'node:path'
import { repoRoot } from '../paths.js'
import { exec, pmEnv } from './exec.js'

/**
 * Runs `npm pack` (and so the package's real prepack: `tsc -b`, then a copy
 * of patches/ into the package; its README is its own) on a copy of
 * packages/patches laid out as in the repository, and returns the tarball's
 * path. Packing in place would leave packages/patches/patches behind, which
 * the in-repo CLI then prefers over the canonical patches/, and would race
 * tests that run the CLI meanwhile.
 *
 * @example
 * const tarball = await packPatches(tmp) // <tmp>/mcp-sessions-patches-0.0.0.tgz
 */
export async function packPatches(root: string): Promise<{ tarball: string; ms: number }> {
  const stage = join(root, 'stage')
  const pkg = join(stage, 'packages', 'patches')
  mkdirSync(pkg, { recursive: true })
  for (const entry of ['package.json', 'tsconfig.json', 'README.md', 'src', 'bin']) cpSync(join(repoRoot, 'packages', 'patches', entry), join(pkg, entry), { recursive: true })
  cpSync(join(repoRoot, 'patches'), join(stage, 'patches'), { recursive: true })
  symlinkSync(join(repoRoot, 'node_modules'), join(stage, 'node_modules'), 'dir')
  const packed = await exec('npm', ['pack', '--json', '--pack-destination', root], pkg, pmEnv())
  const filename = packed.code === 0 ? (JSON.parse(packed.output.slice(packed.output.indexOf('['))) as Array<{ filename: string }>)[0]?.filename : undefined
  if (!filename) throw new Error(`[mcp-sessions] Failed to npm pack packages/patches:\n${packed.output}`)
  return { tarball: join(root, filename), ms: packed.ms }
}
