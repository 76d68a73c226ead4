/**
 * The `mcp-sessions-patch` CLI as a consuming app's postinstall runs it: real
 * SDK files from the registry tarball, real patch-package, a throw-away app.
 */
import { createHash } from 'node:crypto'
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it, onTestFinished } from 'vitest'
import { patchCli } from '../../helpers/cli.js'
import { pristineSdk } from '@mcp-sessions/tools/sdk-cache.js'
import { SDK_VERSIONS } from '@mcp-sessions/tools/versions.js'


const cli = patchCli

/** A throw-away app whose node_modules holds the given SDK files (a pristine copy, or just a package.json). */
function app(sdk: { version: string; from?: string }): string {
  const dir = mkdtempSync(join(tmpdir(), 'mcps-app-'))
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }))
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'app', private: true, dependencies: { '@modelcontextprotocol/sdk': sdk.version } }))
  const target = join(dir, 'node_modules', '@modelcontextprotocol', 'sdk')
  if (sdk.from) cpSync(sdk.from, target, { recursive: true })
  else {
    mkdirSync(target, { recursive: true })
    writeFileSync(join(target, 'package.json'), JSON.stringify({ name: '@modelcontextprotocol/sdk', version: sdk.version }))
  }
  return dir
}

function treeHash(dir: string): string {
  const h = createHash('sha256')
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name)
      if (statSync(p).isDirectory()) walk(p)
      else h.update(p.slice(dir.length)).update(readFileSync(p))
    }
  }
  walk(dir)
  return h.digest('hex')
}

describe('mcp-sessions-patch', () => {
  it('refuses an unsupported SDK version, naming the supported ones', async () => {
    const dir = app({ version: '1.23.0' })
    const result = await cli(['apply'], dir)
    expect(result.code).toBe(1)
    expect(result.stderr).toContain('@modelcontextprotocol/sdk 1.23.0 is not supported')
    for (const v of SDK_VERSIONS) expect(result.stderr).toContain(v)
  })

  it('fails with a clear message when the SDK is not installed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mcps-app-'))
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }))
    writeFileSync(join(dir, 'package.json'), '{"name":"empty"}')
    const result = await cli(['apply'], dir)
    expect(result.code).toBe(1)
    expect(result.stderr).toMatch(/Failed to find @modelcontextprotocol\/sdk/)
  })

  it('rejects an unknown command with usage and exit code 2', async () => {
    const result = await cli(['aply'], import.meta.dirname)
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('Unknown command "aply"')
  })

  describe.each(SDK_VERSIONS)('SDK %s', version => {
    it('applies every fix, reports them in status, and changes nothing when run again', async () => {
      const dir = app({ version, from: pristineSdk(version) })
      const before = await cli(['status'], dir)
      expect(before.code).toBe(1)
      expect(before.stdout).toMatch(/missing/)

      const first = await cli(['apply'], dir)
      expect(first.code, first.stderr).toBe(0)
      expect(first.stdout).toContain(`@modelcontextprotocol/sdk ${version}: applied`)
      const patched = treeHash(join(dir, 'node_modules'))

      const second = await cli(['apply'], dir)
      expect(second.code).toBe(0)
      expect(second.stdout).toContain('nothing changed')
      expect(treeHash(join(dir, 'node_modules'))).toBe(patched)

      const status = await cli(['status'], dir)
      expect(status.code).toBe(0)
      expect(status.stdout).not.toMatch(/missing|partial/)
      expect(status.stdout).toMatch(/applied\s+1708-client-404/)
    }, 60_000)
  })
})
