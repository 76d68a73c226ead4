/**
 * An SDK bundled into another package's files (mcp-proxy 6.4.4 ships SDK
 * 1.27.1 inside its own dist/*.mjs) is code no patch reaches: `apply` must
 * find it by content, name the package and the SDK release it holds, and
 * fail. The bundles here are made with esbuild (tsx's bundler) from the
 * pristine releases, plain and minified: the v1 SDK and the v2 packages,
 * which share much of their text, so each must be told from the other.
 */
import { readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { build } from 'esbuild'
import { describe, expect, it } from 'vitest'
import { CLIENT_PACKAGE, SERVER_PACKAGE, findCopies, readFingerprints, type StatusReport } from '@mcp-sessions/patches'
import { scanHost } from '../../../packages/patches/src/internal/scan-host.js'
import { buildFingerprints } from '@mcp-sessions/tools/build-fingerprints.js'
import { pristinePackage } from '@mcp-sessions/tools/sdk-cache.js'
import { SDK_VERSIONS, V2_RELEASES } from '@mcp-sessions/tools/versions.js'
import { patchCli } from '../../helpers/cli.js'
import { SDK, app, cliJson, linkAt, packageAt, tempDir } from './fixtures.js'

const repoRoot = join(import.meta.dirname, '..', '..', '..')
const fingerprints = readFingerprints(join(repoRoot, 'patches'))

/** What each bundle imports: the Streamable HTTP client and server of v1, the client or the server of v2. */
const entries: Record<string, string> = {
  [SDK]: `export { StreamableHTTPClientTransport } from '${SDK}/client/streamableHttp.js'\nexport { StreamableHTTPServerTransport } from '${SDK}/server/streamableHttp.js'\nexport { Client } from '${SDK}/client/index.js'\n`,
  [CLIENT_PACKAGE]: `export { Client, StreamableHTTPClientTransport } from '${CLIENT_PACKAGE}'\n`,
  [SERVER_PACKAGE]: `export { McpServer, WebStandardStreamableHTTPServerTransport } from '${SERVER_PACKAGE}'\n`
}

/**
 * Bundles `entries[pkg]` from the pristine release `version` of `pkg`. The v1 SDK's dependencies come from this
 * repository's install; a v2 package's stay imports (zod, `@modelcontextprotocol/core`, …), as a bundler that
 * inlines the SDK alone leaves them.
 */
async function bundle(pkg: string, version: string, minify: boolean): Promise<string> {
  const dir = tempDir('mcps-bundle-')
  const source = pristinePackage(pkg, version)
  linkAt(dir, `node_modules/${pkg}`, source)
  const entry = join(dir, 'entry.mjs')
  writeFileSync(entry, entries[pkg]!)
  const dependencies = pkg === SDK ? [] : Object.keys((JSON.parse(readFileSync(join(source, 'package.json'), 'utf8')) as { dependencies?: object }).dependencies ?? {})
  const out = join(dir, 'out.mjs')
  await build({ entryPoints: [entry], bundle: true, platform: 'node', format: 'esm', minify, outfile: out, nodePaths: [join(dir, 'node_modules'), join(repoRoot, 'node_modules')], external: dependencies, logLevel: 'silent' })
  return readFileSync(out, 'utf8')
}

/**
 * Bundles of each generation: the v1 release mcp-proxy 6.4.4 ships, the newest v2 client (its Client in a hashed
 * chunk) and server. `candidates`: how many releases it may be read as (the literals of 2.3.0, 2.3.1 and 2.4.0 differ
 * too little to tell them apart for sure).
 */
const bundled = [
  { pkg: SDK, version: '1.27.1', minify: false, candidates: 2 },
  { pkg: SDK, version: '1.27.1', minify: true, candidates: 2 },
  { pkg: CLIENT_PACKAGE, version: '2.4.0', minify: false, candidates: 3 },
  { pkg: CLIENT_PACKAGE, version: '2.4.0', minify: true, candidates: 3 },
  { pkg: SERVER_PACKAGE, version: '2.4.0', minify: true, candidates: 3 }
]

describe('bundled copies of the SDK', () => {
  // The build takes 31 s on an idle machine; 187 s beside the other tooling tests, and past 300 s when they also
  // shared the machine with the session packages' tests (packages/tools/src/proof.ts now runs those apart).
  it('ships fingerprints that match a fresh build from the pristine tarballs', () => {
    expect(JSON.parse(readFileSync(join(repoRoot, 'patches', 'fingerprints.json'), 'utf8'))).toEqual(buildFingerprints())
  }, 600_000)

  const releases = [...SDK_VERSIONS.map(version => ({ pkg: SDK, version })), ...[CLIENT_PACKAGE, SERVER_PACKAGE].flatMap(pkg => V2_RELEASES.map(version => ({ pkg, version })))]

  it.each(releases)('tells $pkg $version by content, among the releases whose literals do not differ', ({ pkg, version }) => {
    const matches = scanHost(pristinePackage(pkg, version), fingerprints)
    expect(matches.map(m => m.package)).toEqual([pkg])
    expect(matches[0]!.versions).toContain(version)
    expect(matches[0]!.versions.length).toBeLessThanOrEqual(3)
  })

  it.each(bundled)('finds $pkg $version bundled into another package (minified: $minify), names it and fails apply', async ({ pkg, version, minify, candidates }) => {
    const root = app({ dependencies: { 'bundler-host': '2.0.0' } })
    packageAt(root, 'node_modules/bundler-host', { name: 'bundler-host', version: '2.0.0', bugs: { url: 'https://example.invalid/bundler-host/issues' } }, { 'dist/index.mjs': await bundle(pkg, version, minify) })
    const { copies } = findCopies(root)
    expect(copies.map(c => [c.kind, c.package, c.path, c.host?.files])).toEqual([['bundled', pkg, 'node_modules/bundler-host', ['dist/index.mjs']]])
    expect(copies[0]!.versions).toContain(version)
    expect(copies[0]!.versions.length).toBeLessThanOrEqual(candidates)

    const apply = await patchCli(['apply'], root)
    expect(apply.code).toBe(1)
    expect(apply.stderr).toContain(`bundler-host 2.0.0 at node_modules/bundler-host (loaded by your app) bundles ${pkg} ${copies[0]!.version} into its own files (dist/index.mjs`)
    expect(apply.stderr).toContain(`Override bundler-host to a version that depends on ${pkg} instead`)
    expect(apply.stderr).toContain('https://example.invalid/bundler-host/issues')
    const { code, json } = await cliJson<StatusReport>(['status'], root)
    expect(code).toBe(1)
    expect(json.copies.map(c => [c.coverage, c.ok])).toEqual([['bundled', false]])
  })

  it('leaves alone a package with its own MCP session code (this repository’s session manager)', () => {
    const dist = join(repoRoot, 'packages', 'server', 'dist')
    const mentions = (readdirSync(dist, { recursive: true }) as string[]).filter(f => f.endsWith('.js') && /mcp-session-id/i.test(readFileSync(join(dist, f), 'utf8')))
    expect(mentions.length, 'the session manager’s built files name the session header').toBeGreaterThan(0)
    expect(scanHost(join(repoRoot, 'packages', 'server'), fingerprints)).toEqual([])
  })
})
