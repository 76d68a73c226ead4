/**
 * Covering another package (the v2 `@modelcontextprotocol/server`, say) is
 * data plus checks: until the manifest lists it, `apply` fails for its copies
 * and `verify` reports them "not covered"; once it does, the same code patches
 * them through patch-package and verifies them, esm and cjs. Shown on a small
 * stand-in package and patch set, so the test does not wait for real v2 patches.
 */
import { execFileSync } from 'node:child_process'
import { cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { applyPatches, ensure, patchStatus, readManifest, verifyInstall, type Check, type Manifest } from '@mcp-sessions/patches'
import { app, packageAt, tempDir, writeJson } from './fixtures.js'

const PKG = '@modelcontextprotocol/server'
const VERSION = '2.4.0'
const SLUG = '1708-client-404'
const repoPatches = join(import.meta.dirname, '..', '..', '..', 'patches')

const original = { 'dist/index.mjs': 'export const answer = "as published"\n', 'dist/index.cjs': 'exports.answer = "as published"\n' }
const fixed = { 'dist/index.mjs': 'export const answer = "fixed" // mcp-sessions:1708-client-404\n', 'dist/index.cjs': 'exports.answer = "fixed" // mcp-sessions:1708-client-404\n' }

/** An app holding the stand-in package, as tsdown lays v2 out (dual esm/cjs behind `exports`). */
function v2App(): string {
  const root = app({ dependencies: { [PKG]: VERSION } })
  const exports = { '.': { import: './dist/index.mjs', require: './dist/index.cjs' } }
  packageAt(root, `node_modules/${PKG}`, { name: PKG, version: VERSION, exports }, original)
  return root
}

/** A copy of the shipped patch set, optionally listing the stand-in package with one patch. */
function patchSet(covered: boolean): string {
  const dir = tempDir('mcps-patches-')
  cpSync(repoPatches, dir, { recursive: true })
  // The shipped set covers the real server package: take it out, then (when covered) list the stand-in instead.
  const manifest: Manifest = readManifest(dir)
  delete manifest.packages[PKG]
  rmSync(join(dir, 'server'), { recursive: true, force: true })
  if (covered) manifest.packages[PKG] = { dir: 'server', versions: { [VERSION]: { [SLUG]: 'patched' } } }
  writeJson(join(dir, 'manifest.json'), manifest)
  if (!covered) return dir
  const work = tempDir('mcps-diff-')
  for (const [side, files] of [['a', original], ['b', fixed]] as const) {
    for (const [file, text] of Object.entries(files)) {
      mkdirSync(join(work, side, 'node_modules', PKG, 'dist'), { recursive: true })
      writeFileSync(join(work, side, 'node_modules', PKG, file), text)
    }
  }
  let diff = ''
  try {
    execFileSync('git', ['diff', '--no-index', '--no-prefix', '--no-color', 'a/node_modules', 'b/node_modules'], { cwd: work, encoding: 'utf8' })
  } catch (error) {
    diff = (error as { stdout: string }).stdout
  }
  mkdirSync(join(dir, 'server', VERSION), { recursive: true })
  writeFileSync(join(dir, 'server', VERSION, `@modelcontextprotocol+server+${VERSION}+001+${SLUG}.patch`), diff)
  return dir
}

const check: Check = {
  slug: SLUG,
  package: PKG,
  behaviour: 'the stand-in package answers "fixed"',
  async run({ load }) {
    const { answer } = await load<{ answer: string }>('')
    ensure(answer === 'fixed', `it answers "${answer}"`)
  }
}

describe('a package the manifest does not list, then lists', () => {
  it('is not covered: apply fails naming it, verify reports it', async () => {
    const root = v2App()
    const patchesDir = patchSet(false)
    expect(() => applyPatches(root, { patchesDir, quiet: true })).toThrow(expect.objectContaining({ code: 'MCPS_PACKAGE_NOT_COVERED', message: expect.stringContaining(`${PKG} ${VERSION} at node_modules/${PKG} (loaded by your app) is not covered`) }))
    const report = await verifyInstall(root, { patchesDir, checks: [check] })
    expect(report.ok).toBe(false)
    expect(report.copies.map(c => [c.coverage, c.fixes.map(f => [f.state, f.outcome, f.details])])).toEqual([['not-covered', [['unsupported', 'not-fixed', ['esm: it answers "as published"', 'cjs: it answers "as published"']]]]])
  })

  it('is covered once listed: apply patches it, a second apply changes nothing, verify passes in esm and cjs', async () => {
    const root = v2App()
    const patchesDir = patchSet(true)
    const first = applyPatches(root, { patchesDir, quiet: true })
    expect(first.copies.map(c => [c.copy.package, c.outcome])).toEqual([[PKG, 'applied']])
    expect(applyPatches(root, { patchesDir, quiet: true }).copies.map(c => c.outcome)).toEqual(['already-applied'])
    expect(patchStatus(root, { patchesDir }).copies.map(c => [c.coverage, c.ok, c.fixes.map(f => f.presence)])).toEqual([['supported', true, ['applied']]])
    const report = await verifyInstall(root, { patchesDir, checks: [check] })
    expect(report.copies.map(c => [c.coverage, c.fixes.map(f => f.outcome)])).toEqual([['supported', ['fixed']]])
    expect(report.ok).toBe(true)
  })
})
