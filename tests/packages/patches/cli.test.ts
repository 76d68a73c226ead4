/**
 * The `mcp-sessions-patch` CLI as a consuming app's postinstall runs it: real
 * SDK files from the registry tarball, real patch-package, a throw-away app.
 */
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { patchCli } from '../../helpers/cli.js'
import type { StatusReport } from '@mcp-sessions/patches'
import { SDK_VERSIONS } from '@mcp-sessions/tools/versions.js'
import { SDK, app, cliJson, packageAt, sdkAt, tempDir, treeHash, writeJson } from './fixtures.js'

const cli = patchCli

/** An app that depends on the SDK and has `version` installed: the pristine release, or only its package.json. */
function sdkApp(version: string, pristine: boolean): string {
  const dir = app({ dependencies: { [SDK]: version } })
  if (pristine) sdkAt(dir, `node_modules/${SDK}`, version)
  else packageAt(dir, `node_modules/${SDK}`, { name: SDK, version })
  return dir
}

describe('mcp-sessions-patch', () => {
  it('refuses an unsupported SDK version, naming the copy and the supported versions', async () => {
    const dir = sdkApp('1.23.0', false)
    const result = await cli(['apply'], dir)
    expect(result.code).toBe(1)
    expect(result.stderr).toContain(`${SDK} 1.23.0 at node_modules/${SDK} (loaded by your app) is not supported by this release`)
    for (const v of SDK_VERSIONS) expect(result.stderr).toContain(v)
    expect(result.stderr).toContain('"overrides"')
  })

  it('fails with a clear message when no copy of the SDK is installed', async () => {
    const dir = tempDir()
    writeJson(join(dir, 'package.json'), { name: 'empty' })
    const result = await cli(['apply'], dir)
    expect(result.code).toBe(1)
    expect(result.stderr).toMatch(/Failed to find @modelcontextprotocol\/sdk .* installed or bundled into another package: there is nothing to patch/)
  })

  it('rejects an unknown command with usage and exit code 2', async () => {
    const result = await cli(['aply'], import.meta.dirname)
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('Unknown command "aply"')
  })

  it('rejects --from outside verify, and an option without its value, with exit code 2', async () => {
    expect((await cli(['status', '--from', 'fastmcp'], import.meta.dirname)).stderr).toContain('--from works with verify only')
    const missing = await cli(['verify', '--from'], import.meta.dirname)
    expect(missing.code).toBe(2)
    expect(missing.stderr).toContain('it needs a value')
  })

  it('prints the status of every copy as JSON, exiting 1 while one is unpatched', async () => {
    const dir = sdkApp('1.32.2', true)
    const { code, json } = await cliJson<StatusReport>(['status'], dir)
    expect(code).toBe(1)
    expect(json.ok).toBe(false)
    expect(json.copies).toHaveLength(1)
    expect(json.copies[0]).toMatchObject({ kind: 'package', package: SDK, version: '1.32.2', path: `node_modules/${SDK}`, coverage: 'supported', ok: false })
    expect(json.copies[0]!.loadedBy).toEqual([{ name: 'app', version: '1.0.0', path: '.', app: true }])
    expect(json.copies[0]!.fixes.find(f => f.slug === '1708-client-404')?.presence).toBe('missing')
  })

  describe.each(SDK_VERSIONS)('SDK %s', version => {
    it('applies every fix, reports them in status, and changes nothing when run again', async () => {
      const dir = sdkApp(version, true)
      const before = await cli(['status'], dir)
      expect(before.code).toBe(1)
      expect(before.stdout).toMatch(/missing/)

      const first = await cli(['apply'], dir)
      expect(first.code, first.stderr).toBe(0)
      expect(first.stdout).toContain(`${SDK} ${version} at node_modules/${SDK} (loaded by your app): applied`)
      const patched = treeHash(join(dir, 'node_modules'))

      const second = await cli(['apply'], dir)
      expect(second.code).toBe(0)
      expect(second.stdout).toContain('nothing changed')
      expect(treeHash(join(dir, 'node_modules'))).toBe(patched)

      const status = await cli(['status'], dir)
      expect(status.code).toBe(0)
      expect(status.stdout).not.toMatch(/missing|partial/)
      expect(status.stdout).toMatch(/applied\s+1708-client-404/)
    })
  })
})
