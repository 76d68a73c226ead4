/**
 * `mcp-sessions-patch verify` in a throw-away app: it must fail, naming the
 * fix, on the SDK as published, and pass once `apply` has run. The apps are
 * copies of the matrix cells (real SDK with its dependencies).
 */
import { cpSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { patchCli } from '../../helpers/cli.js'
import { tempDir } from '../../helpers/temp.js'
import { checks, fixStates, readManifest, supportedVersions, type VerifyReport } from '@mcp-sessions/patches'
import { cliJson } from './fixtures.js'
import { cellDir, ensureCells } from '@mcp-sessions/tools/matrix.js'
import { pristineSdk } from '@mcp-sessions/tools/sdk-cache.js'

const manifest = readManifest()
const supported = supportedVersions(manifest)
/**
 * One release per server-transport generation: 1.24 (Node-only transport), 1.25-1.29 (web-standard, no close
 * guard), 1.30+ (close guard upstream). The proof matrix covers every release; verify is the same code on each.
 */
const versions = ['1.24.3', '1.27.1', '1.32.2'].filter(v => supported.includes(v))
const sdkIn = (app: string) => join(app, 'node_modules', '@modelcontextprotocol', 'sdk')

const cli = patchCli

/** A copy of the version's plain matrix cell: the SDK exactly as npm installs it. */
function plainApp(version: string): string {
  const dir = tempDir('mcps-verify-')
  cpSync(cellDir(version, 'plain'), dir, { recursive: true })
  return dir
}

/** Lines of `verify` output for one fix: its outcome line and the details under it. */
const fixLine = (stdout: string, slug: string) => stdout.split('\n').find(l => l.includes(` ${slug} `)) ?? ''

beforeAll(() => ensureCells(versions), 300_000)

/**
 * A test here runs the CLI up to three times, each a process that starts real servers. On an idle machine one
 * takes 8-12 s (verify on the published SDK is 7.8 s of it, mostly its checks' deadlines); beside the other
 * package suites it took 60-79 s at load average 17, and one CI run timed out at the project's 120 s.
 */
const CLI_TEST_MS = 300_000

describe('mcp-sessions-patch verify', () => {
  it('has a behavioural check for every fix in the patch set', () => {
    const checked = checks.map(c => c.slug)
    expect(manifest.fixes.map(f => f.slug).filter(slug => !checked.includes(slug))).toEqual([])
  })

  describe.each(versions)('SDK %s', version => {
    const applies = manifest.fixes.filter(f => fixStates(manifest, version)?.[f.slug] === 'patched').map(f => f.slug)

    it('fails on the SDK as published, naming every fix that applies, and passes after apply', async () => {
      const app = plainApp(version)
      const before = await cli(['verify'], app)
      expect(before.code).toBe(1)
      for (const slug of applies) expect(fixLine(before.stdout, slug)).toMatch(/^\s+NOT fixed/)
      expect(before.stderr).toContain(`Failed to verify ${applies.join(', ')}`)

      const apply = await cli(['apply'], app)
      expect(apply.code, apply.stderr).toBe(0)
      const after = await cli(['verify'], app)
      expect(after.code, after.stdout + after.stderr).toBe(0)
      for (const slug of applies) expect(fixLine(after.stdout, slug)).toMatch(/^\s+fixed/)
      expect(after.stdout).not.toMatch(/NOT fixed|unchecked/)
    }, CLI_TEST_MS)

    it('tells a half-applied patch from a working one: the cjs build left as published fails', async () => {
      const app = plainApp(version)
      expect((await cli(['apply'], app)).code).toBe(0)
      const file = join('dist', 'cjs', 'client', 'streamableHttp.js')
      writeFileSync(join(sdkIn(app), file), readFileSync(join(pristineSdk(version), file)))
      const result = await cli(['verify'], app)
      expect(result.code).toBe(1)
      const lines = result.stdout.split('\n')
      const at = lines.findIndex(l => l.includes(' 1708-client-404 '))
      expect(lines[at]).toMatch(/^\s+NOT fixed/)
      expect(lines[at + 1]).toMatch(/^\s+cjs: after a POST answered 404 the client still holds session id/)
      expect(result.stdout).not.toMatch(/^\s+esm:.*1708/m)
    }, CLI_TEST_MS)
  })

  it('fails for an SDK version without patches, naming the supported ones', async () => {
    const app = plainApp(versions[0]!)
    const pkg = join(sdkIn(app), 'package.json')
    writeFileSync(pkg, JSON.stringify({ ...JSON.parse(readFileSync(pkg, 'utf8')), version: '1.23.0' }))
    const { code, json } = await cliJson<VerifyReport>(['verify'], app)
    expect(code).toBe(1)
    expect(json.ok).toBe(false)
    expect(json.copies.map(c => [c.version, c.coverage, c.ok])).toEqual([['1.23.0', 'unsupported-version', false]])
    expect(json.copies[0]!.problem).toContain('@modelcontextprotocol/sdk 1.23.0 at node_modules/@modelcontextprotocol/sdk (loaded by your app) is not supported')
    for (const v of supported) expect(json.copies[0]!.problem).toContain(v)
  }, CLI_TEST_MS)

  it('reports each copy as JSON: the loader it was checked from, and per fix the outcome in both flavors', async () => {
    const app = plainApp(versions.at(-1)!)
    expect((await cli(['apply'], app)).code).toBe(0)
    const { code, json } = await cliJson<VerifyReport>(['verify'], app)
    expect(code).toBe(0)
    expect(json.ok).toBe(true)
    expect(json.copies).toHaveLength(1)
    expect(json.copies[0]).toMatchObject({ package: '@modelcontextprotocol/sdk', checkedFrom: '.', coverage: 'supported', ok: true })
    const states = fixStates(manifest, versions.at(-1)!)!
    expect(json.copies[0]!.fixes.map(f => [f.slug, f.outcome])).toEqual(manifest.fixes.map(f => [f.slug, states[f.slug] === 'patched' ? 'fixed' : 'not-affected']))
  }, CLI_TEST_MS)
})
