/**
 * `apply`, `status` and `verify` reach every copy of the SDK an install holds,
 * in each package manager's layout: npm's nesting, pnpm's one folder per peer
 * set, bun's isolated store, workspaces' links, and packages this release does
 * not cover (the v2 packages). Layouts are built from pristine tarballs; the
 * consumers suite runs the real package managers.
 */
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { findCopies, type StatusReport, type VerifyReport } from '@mcp-sessions/patches'
import { lookupPackage, resolveExport } from '../../../packages/patches/src/internal/resolve.js'
import { walkPackages } from '../../../packages/patches/src/internal/walk.js'
import { patchCli } from '../../helpers/cli.js'
import { SDK, app, cliJson, linkAt, packageAt, sdkAt, treeHash, withSdkDependencies } from './fixtures.js'

const marked = (dir: string) => readFileSync(join(dir, 'dist/esm/client/streamableHttp.js'), 'utf8').includes('mcp-sessions:1708-client-404')

describe('copies of the SDK', () => {
  it('patches a copy npm nested under a framework as well as the app’s own, and names who loads each', async () => {
    const root = app({ dependencies: { [SDK]: '1.24.3', framework: '1.0.0' } })
    const top = sdkAt(root, `node_modules/${SDK}`, '1.24.3')
    packageAt(root, 'node_modules/framework', { name: 'framework', version: '1.0.0', dependencies: { [SDK]: '^1.25.2' } })
    const nested = sdkAt(root, `node_modules/framework/node_modules/${SDK}`, '1.32.2')

    const apply = await patchCli(['apply'], root)
    expect(apply.code, apply.stderr).toBe(0)
    expect(marked(top) && marked(nested)).toBe(true)
    const { code, json } = await cliJson<StatusReport>(['status'], root)
    expect(code).toBe(0)
    expect(json.copies.map(c => [c.path, c.version, c.loadedBy.map(l => l.name), c.ok])).toEqual([
      [`node_modules/${SDK}`, '1.24.3', ['app'], true],
      [`node_modules/framework/node_modules/${SDK}`, '1.32.2', ['framework'], true]
    ])
  })

  it('patches each pnpm peer variant of one version, and verify --from checks the variant the framework loads', async () => {
    const root = app({ dependencies: { [SDK]: '1.32.2', framework: '1.0.0' } })
    withSdkDependencies(root)
    const zod3 = sdkAt(root, `node_modules/.pnpm/@modelcontextprotocol+sdk@1.32.2_zod@3.25.76/node_modules/${SDK}`, '1.32.2')
    const zod4 = sdkAt(root, `node_modules/.pnpm/@modelcontextprotocol+sdk@1.32.2_zod@4.6.7/node_modules/${SDK}`, '1.32.2')
    const framework = packageAt(root, 'node_modules/.pnpm/framework@1.0.0/node_modules/framework', { name: 'framework', version: '1.0.0', dependencies: { [SDK]: '^1.32.0' } })
    linkAt(root, `node_modules/.pnpm/framework@1.0.0/node_modules/${SDK}`, zod4)
    linkAt(root, `node_modules/${SDK}`, zod3)
    linkAt(root, 'node_modules/framework', framework)

    const apply = await patchCli(['apply'], root)
    expect(apply.code, apply.stderr).toBe(0)
    expect(marked(zod3) && marked(zod4)).toBe(true)
    const { json } = await cliJson<VerifyReport>(['verify', '--from', 'framework'], root)
    expect(json.ok).toBe(true)
    expect(json.copies.map(c => [c.path, c.checkedFrom])).toEqual([[`node_modules/.pnpm/@modelcontextprotocol+sdk@1.32.2_zod@4.6.7/node_modules/${SDK}`, 'node_modules/.pnpm/framework@1.0.0/node_modules/framework']])
    expect(json.copies[0]!.fixes.find(f => f.slug === '1708-client-404')?.outcome).toBe('fixed')
  })

  it('finds copies in bun’s isolated store and behind workspace links, visiting a link cycle once', () => {
    const root = app({ workspaces: ['packages/*'] })
    sdkAt(root, `node_modules/.bun/@modelcontextprotocol+sdk@1.27.1/node_modules/${SDK}`, '1.27.1')
    const ws = packageAt(root, 'packages/tool', { name: 'tool', version: '0.1.0', dependencies: { [SDK]: '1.25.2' } })
    sdkAt(root, `packages/tool/node_modules/${SDK}`, '1.25.2')
    linkAt(root, 'node_modules/tool', ws)
    linkAt(root, 'packages/tool/node_modules/self', ws)
    linkAt(root, 'node_modules/back-to-app', root)
    const { copies } = findCopies(root)
    expect(copies.map(c => [c.path, c.version]).sort()).toEqual([
      [`node_modules/.bun/@modelcontextprotocol+sdk@1.27.1/node_modules/${SDK}`, '1.27.1'],
      [`packages/tool/node_modules/${SDK}`, '1.25.2']
    ])
    expect(copies.find(c => c.version === '1.25.2')?.loadedBy.map(l => l.name)).toEqual(['tool'])
    expect(walkPackages(root).filter(p => p.name === 'tool')).toHaveLength(1)
    expect(walkPackages(root).filter(p => p.name === 'app')).toEqual([])
  })

  it('stops the walk past its bounds with an error instead of running on', () => {
    const root = app()
    for (let i = 0; i < 5; i++) packageAt(root, `node_modules/p${i}`, { name: `p${i}`, version: '1.0.0' })
    expect(() => walkPackages(root, { packages: 3, depth: 40 })).toThrow(expect.objectContaining({ code: 'MCPS_WALK_LIMIT', message: expect.stringContaining('more than 3 packages') }))
  })

  it('patches what it can and fails for a v2 package version it does not support, naming the path, who loads it and the way out', async () => {
    const root = app({ dependencies: { [SDK]: '1.32.2', proxy: '6.7.19' } })
    withSdkDependencies(root)
    sdkAt(root, `node_modules/${SDK}`, '1.32.2')
    packageAt(root, 'node_modules/proxy', { name: 'proxy', version: '6.7.19', dependencies: { '@modelcontextprotocol/server': '^2.0.0' } })
    // A release this patch set does not list (it covers 2.0.0-2.4.0).
    packageAt(root, 'node_modules/@modelcontextprotocol/server', { name: '@modelcontextprotocol/server', version: '2.9.0' }, { 'dist/index.mjs': 'export {}\n' })

    const first = await patchCli(['apply'], root)
    expect(first.code).toBe(1)
    expect(first.stderr).toContain('Failed to patch 1 of 2 copies')
    expect(first.stderr).toContain('@modelcontextprotocol/server 2.9.0 at node_modules/@modelcontextprotocol/server (loaded by proxy 6.7.19) is not supported by this release')
    expect(first.stderr).toContain('Supported versions: 2.0.0, 2.1.0, 2.2.0, 2.3.0, 2.3.1, 2.4.0')
    expect(first.stderr).toContain(`Patched: ${SDK} 1.32.2 at node_modules/${SDK}`)
    const after = treeHash(join(root, 'node_modules'))
    const second = await patchCli(['apply'], root)
    expect(second.stderr).toBe(first.stderr)
    expect(treeHash(join(root, 'node_modules'))).toBe(after)

    const { code, json } = await cliJson<VerifyReport>(['verify'], root)
    expect(code).toBe(1)
    expect(json.copies.map(c => [c.package, c.coverage, c.ok])).toEqual([
      [SDK, 'supported', true],
      ['@modelcontextprotocol/server', 'unsupported-version', false]
    ])
  })

  it('fails verify --from for a package that is not installed, naming the ones that load the SDK', async () => {
    const root = app({ dependencies: { framework: '1.0.0' } })
    packageAt(root, 'node_modules/framework', { name: 'framework', version: '1.0.0', dependencies: { [SDK]: '1.32.2' } })
    sdkAt(root, `node_modules/${SDK}`, '1.32.2')
    const result = await patchCli(['verify', '--from', 'fastmcp'], root)
    expect(result.code).toBe(1)
    expect(result.stderr).toContain('no package named "fastmcp" is installed')
    expect(result.stderr).toContain('Packages that load a copy of the SDK: framework')
  })
})

describe('resolution as Node does it', () => {
  it('finds the copy a package folder resolves, esm and cjs, as Node itself does', () => {
    const root = app({ dependencies: { [SDK]: '1.24.3' } })
    sdkAt(root, `node_modules/${SDK}`, '1.24.3')
    const framework = packageAt(root, 'node_modules/framework', { name: 'framework', version: '1.0.0' })
    sdkAt(root, `node_modules/framework/node_modules/${SDK}`, '1.32.2')
    for (const from of [root, framework]) {
      const spec = `${SDK}/client/streamableHttp.js`
      const node = (flavor: 'esm' | 'cjs') =>
        execFileSync(process.execPath, flavor === 'esm' ? ['--input-type=module', '-e', `console.log(new URL(import.meta.resolve('${spec}')).pathname)`] : ['-e', `console.log(require.resolve('${spec}'))`], { cwd: from, encoding: 'utf8' }).trim()
      const dir = lookupPackage(from, SDK)!
      expect(resolveExport(dir, 'client/streamableHttp.js', 'esm')).toBe(node('esm'))
      expect(resolveExport(dir, 'client/streamableHttp.js', 'cjs')).toBe(node('cjs'))
    }
  })
})
