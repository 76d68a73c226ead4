/**
 * An SDK bundled into another package's files (mcp-proxy 6.4.4 ships SDK
 * 1.27.1 inside its own dist/*.mjs) is code no patch reaches: `apply` must
 * find it by content, name the package and the SDK release it holds, and
 * fail. The bundles here are made with esbuild (tsx's bundler) from the
 * pristine SDK, plain and minified.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { build } from 'esbuild'
import { beforeAll, describe, expect, it } from 'vitest'
import { findCopies, readFingerprints, type StatusReport } from '@mcp-sessions/patches'
import { scanHost } from '../../../packages/patches/src/internal/scan-host.js'
import { buildFingerprints } from '@mcp-sessions/tools/build-fingerprints.js'
import { cellDir, ensureCells } from '@mcp-sessions/tools/matrix.js'
import { pristineSdk } from '@mcp-sessions/tools/sdk-cache.js'
import { SDK_VERSIONS } from '@mcp-sessions/tools/versions.js'
import { patchCli } from '../../helpers/cli.js'
import { SDK, app, cliJson, packageAt, tempDir } from './fixtures.js'

const repoRoot = join(import.meta.dirname, '..', '..', '..')
const fingerprints = readFingerprints(join(repoRoot, 'patches'))
const BUNDLED = '1.27.1'

beforeAll(() => ensureCells([BUNDLED]), 300_000)

/** Bundles an entry that uses the SDK's Streamable HTTP client and server, from the plain cell of `version`. */
async function bundle(version: string, minify: boolean): Promise<string> {
  const dir = tempDir('mcps-bundle-')
  const entry = join(dir, 'entry.mjs')
  writeFileSync(
    entry,
    `export { StreamableHTTPClientTransport } from '${SDK}/client/streamableHttp.js'\nexport { StreamableHTTPServerTransport } from '${SDK}/server/streamableHttp.js'\nexport { Client } from '${SDK}/client/index.js'\n`
  )
  const out = join(dir, 'out.mjs')
  await build({ entryPoints: [entry], bundle: true, platform: 'node', format: 'esm', minify, outfile: out, nodePaths: [join(cellDir(version, 'plain'), 'node_modules')], logLevel: 'silent' })
  return readFileSync(out, 'utf8')
}

describe('bundled copies of the SDK', () => {
  it('ships fingerprints that match a fresh build from the pristine tarballs', () => {
    expect(JSON.parse(readFileSync(join(repoRoot, 'patches', 'fingerprints.json'), 'utf8'))).toEqual(buildFingerprints())
  })

  it.each(SDK_VERSIONS)('tells SDK %s by content, among the releases whose literals do not differ', version => {
    const matches = scanHost(pristineSdk(version), fingerprints)
    expect(matches.map(m => m.package)).toEqual([SDK])
    expect(matches[0]!.versions).toContain(version)
    expect(matches[0]!.versions.length).toBeLessThanOrEqual(3)
  })

  it.each([{ minify: false }, { minify: true }])(`finds SDK ${BUNDLED} bundled into another package (minified: $minify), names it and fails apply`, async ({ minify }) => {
    const root = app({ dependencies: { 'bundler-host': '2.0.0' } })
    packageAt(root, 'node_modules/bundler-host', { name: 'bundler-host', version: '2.0.0', bugs: { url: 'https://example.invalid/bundler-host/issues' } }, { 'dist/index.mjs': await bundle(BUNDLED, minify) })
    const { copies } = findCopies(root)
    expect(copies.map(c => [c.kind, c.package, c.path, c.host?.files])).toEqual([['bundled', SDK, 'node_modules/bundler-host', ['dist/index.mjs']]])
    expect(copies[0]!.versions).toContain(BUNDLED)
    expect(copies[0]!.versions.length).toBeLessThanOrEqual(2)

    const apply = await patchCli(['apply'], root)
    expect(apply.code).toBe(1)
    expect(apply.stderr).toContain(`bundler-host 2.0.0 at node_modules/bundler-host (loaded by your app) bundles ${SDK} ${copies[0]!.version} into its own files (dist/index.mjs`)
    expect(apply.stderr).toContain('Override bundler-host to a version that depends on @modelcontextprotocol/sdk instead')
    expect(apply.stderr).toContain('https://example.invalid/bundler-host/issues')
    const { code, json } = await cliJson<StatusReport>(['status'], root)
    expect(code).toBe(1)
    expect(json.copies.map(c => [c.coverage, c.ok])).toEqual([['bundled', false]])
  }, 60_000)

  it('leaves alone a package with its own MCP session code (this repository’s session manager)', () => {
    expect(readFileSync(join(repoRoot, 'packages', 'server', 'dist', 'session-manager.js'), 'utf8')).toMatch(/mcp-session-id/i)
    expect(scanHost(join(repoRoot, 'packages', 'server'), fingerprints)).toEqual([])
  })
})
