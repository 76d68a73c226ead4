/**
 * `mcp-sessions-patch` on the v2 packages (`@modelcontextprotocol/client`,
 * `/server`), in throw-away apps copied from the plain matrix cells (the real
 * packages with their dependencies): `verify` fails on the packages as
 * published, naming every fix that applies, `apply` patches each package with
 * its own set, and `verify` then exercises the fixed behaviour in-process,
 * through `import` and `require`.
 */
import { cpSync } from 'node:fs'
import { beforeAll, describe, expect, it } from 'vitest'
import { CLIENT_PACKAGE, SERVER_PACKAGE, checks, fixesFor, readManifest, type StatusReport, type VerifyReport } from '@mcp-sessions/patches'
import { cellDir, ensureCells } from '@mcp-sessions/tools/matrix.js'
import { cliJson, tempDir } from './fixtures.js'
import { patchCli } from '../../helpers/cli.js'

const manifest = readManifest()
/** The newest and the oldest release: the client moved into a hashed chunk in 2.4.0, the server's connect() in 2.3.0. */
const cells = [CLIENT_PACKAGE, SERVER_PACKAGE].flatMap(pkg => ['2.0.0', '2.4.0'].map(version => ({ pkg, version })))

function plainApp(cell: { pkg: string; version: string }): string {
  const dir = tempDir('mcps-v2-')
  cpSync(cellDir(cell, 'plain'), dir, { recursive: true })
  return dir
}

beforeAll(() => ensureCells(cells), 300_000)

describe('mcp-sessions-patch on the v2 packages', () => {
  it('has a behavioural check for every fix on every v2 package', () => {
    const missing = [CLIENT_PACKAGE, SERVER_PACKAGE].flatMap(pkg =>
      (fixesFor(manifest, pkg, '2.4.0') ?? []).filter(f => !checks.some(c => c.slug === f.slug && c.package === pkg)).map(f => `${pkg} ${f.slug}`)
    )
    expect(missing).toEqual([])
  })

  describe.each(cells)('$pkg $version', cell => {
    const fixes = fixesFor(manifest, cell.pkg, cell.version)!
    const patched = fixes.filter(f => f.state === 'patched').map(f => f.slug)

    it('fails verify as published, applies its own set, then verifies every fix in esm and cjs', async () => {
      const app = plainApp(cell)
      const before = await cliJson<VerifyReport>(['verify'], app)
      expect(before.code).toBe(1)
      const mine = (report: VerifyReport) => report.copies.find(c => c.package === cell.pkg)!
      expect(mine(before.json).fixes.filter(f => f.outcome === 'not-fixed').map(f => f.slug)).toEqual(patched)

      const apply = await patchCli(['apply'], app)
      expect(apply.code, apply.stderr).toBe(0)
      expect(apply.stdout).toContain(`[mcp-sessions] ${cell.pkg} ${cell.version} at node_modules/${cell.pkg} (loaded by your app): applied ${patched.join(', ')}.`)
      const status = await cliJson<StatusReport>(['status'], app)
      expect(status.code).toBe(0)
      expect(status.json.copies.find(c => c.package === cell.pkg)!.fixes.map(f => [f.slug, f.presence])).toEqual(fixes.map(f => [f.slug, f.state === 'patched' ? 'applied' : 'not-affected']))

      const after = await cliJson<VerifyReport>(['verify'], app)
      expect(after.code, JSON.stringify(mine(after.json).fixes)).toBe(0)
      expect(mine(after.json).fixes.map(f => [f.slug, f.outcome])).toEqual(fixes.map(f => [f.slug, f.state === 'patched' ? 'fixed' : 'not-affected']))
      const again = await patchCli(['apply'], app)
      expect(again.stdout).toContain(`${cell.pkg} ${cell.version} at node_modules/${cell.pkg} (loaded by your app): already patched`)
    }, 120_000)
  })
})
