/**
 * The patch set as users install it (packages/tools/src/consumers.ts): the
 * packed @mcp-sessions/patches in fresh apps, the SDK alone under npm, pnpm,
 * yarn (berry) and bun, and apps that get it through fastmcp, inspector-cli
 * and mcp-proxy. Each app is a row; this test reads the rows as JSON and holds
 * them to the rule: a row ends either with every copy that runs
 * patched and verified, or with a failed install whose message names the copy
 * and the way out; none is green while unpatched code runs. Which of the two
 * a row must end with is the manifest's word, so a release that covers the v2
 * packages turns their rows green without a change here.
 *
 * Slow (about 3 to 5 minutes on two busy cores, most of it installs from the
 * registry), so it runs the suite once, in `beforeAll`.
 */
import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { beforeAll, describe, expect, it } from 'vitest'
import { fixStates, readManifest } from '@mcp-sessions/patches'
import type { RowResult } from '@mcp-sessions/tools/consumers/scenario.js'
import { scenarios } from '@mcp-sessions/tools/consumers/scenarios/index.js'

const run = promisify(execFile)
const root = join(import.meta.dirname, '..', '..')
const manifest = readManifest(join(root, 'patches'))
const SDK = '@modelcontextprotocol/sdk'
const covered = (pkg: string, version: string) => fixStates(manifest, version, pkg) !== undefined

let suite: { code: number; output: string; rows: RowResult[]; wallMs: number }

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mcps-consumers-test-'))
  try {
    const json = join(dir, 'rows.json')
    const result = await run(process.execPath, [join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs'), join(root, 'packages', 'tools', 'src', 'consumers.ts'), '--json', json], { cwd: root, maxBuffer: 64 * 1024 * 1024 }).then(
      r => ({ code: 0, output: r.stdout + r.stderr }),
      (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, output: e.stdout + e.stderr })
    )
    const parsed = JSON.parse(readFileSync(json, 'utf8')) as { rows: RowResult[]; wallMs: number }
    suite = { ...result, ...parsed }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}, 1_200_000)

const row = (id: string) => {
  const found = suite.rows.find(r => r.id === id)
  if (!found) throw new Error(`no row ${id} in the consumers output:\n${suite.output.slice(-4000)}`)
  return found
}

describe('consumer apps', () => {
  it('runs every app, each step passing', () => {
    expect(suite.rows.map(r => r.id).sort()).toEqual(scenarios.map(s => s.id).sort())
    const failed = suite.rows.flatMap(r => r.steps.filter(s => !s.ok).map(s => `${r.id}: ${s.name}\n${s.detail ?? ''}`))
    expect(failed, suite.output.slice(-6000)).toEqual([])
    expect(suite.code).toBe(0)
  })

  it('ends each row as the manifest predicts, and none green while unpatched code runs', () => {
    for (const r of suite.rows) {
      const patchable = r.found.length > 0 && r.found.every(c => covered(c.package, c.version)) && r.copies.every(c => c.kind !== 'bundled')
      expect(r.verdict, r.id).toBe(patchable ? 'green' : 'failed-install')
      expect(r.install.code === 0, r.id).toBe(patchable)
      if (r.verdict === 'green') {
        expect(r.copies.every(c => c.ok) && r.verified.every(v => v.ok) && r.demos.every(d => d.cleared), r.id).toBe(true)
      } else {
        const said = r.install.messages.join('\n')
        for (const c of r.copies.filter(c => c.coverage !== 'supported')) expect(said, `${r.id}: ${c.path}`).toContain(c.path)
      }
    }
  })

  it('patches the copy npm nests under inspector-cli, and that copy clears the session id when loaded from inside inspector-cli', () => {
    const r = row('inspector-cli-npm-pin')
    const nested = `node_modules/@modelcontextprotocol/inspector-cli/node_modules/${SDK}`
    expect(r.copies.map(c => [c.path, c.ok]).sort()).toEqual([
      [nested, true],
      [`node_modules/${SDK}`, true]
    ])
    expect(r.verified.map(v => [v.path, v.checkedFrom, v.outcomes['1708-client-404']])).toEqual([[nested, 'node_modules/@modelcontextprotocol/inspector-cli', 'fixed']])
    expect(r.demos.map(d => [d.flavor, d.copy, d.cleared])).toEqual([
      ['esm', nested, true],
      ['cjs', nested, true]
    ])
  })

  it('patches both pnpm peer variants of SDK 1.32.2, and fastmcp loads the zod-4 one, patched', () => {
    const r = row('fastmcp-pnpm-zod3')
    const sdk = r.copies.filter(c => c.package === SDK)
    expect(sdk.map(c => c.path.includes('zod@3') ? 'zod3' : c.path.includes('zod@4') ? 'zod4' : c.path).sort()).toEqual(['zod3', 'zod4'])
    expect(sdk.every(c => c.version === '1.32.2' && c.ok)).toBe(true)
    const loaded = r.verified.filter(v => v.package === SDK)
    expect(loaded).toHaveLength(1)
    expect(loaded[0]!.path).toContain('zod@4')
    expect(r.demos.filter(d => d.package === SDK).map(d => d.cleared)).toEqual([true, true])
  })

  it('patches the v2 copies fastmcp and mcp-proxy 6.7 load where this release covers them, else fails the install naming them and the way out', () => {
    for (const id of ['fastmcp-npm-pin', 'fastmcp-npm', 'fastmcp-pnpm-zod3', 'fastmcp-pnpm', 'mcp-proxy-v2']) {
      const r = row(id)
      const v2 = r.copies.filter(c => c.package === '@modelcontextprotocol/server' || c.package === '@modelcontextprotocol/client')
      expect(v2.length, id).toBeGreaterThan(0)
      for (const c of v2) {
        if (covered(c.package, c.version)) expect(c.ok, `${id}: ${c.path}`).toBe(true)
        else {
          expect(r.install.code, id).not.toBe(0)
          expect(r.install.messages.join('\n'), id).toContain(`${c.package} ${c.version} at ${c.path}`)
          expect(r.install.messages.join('\n'), id).toContain(`Until a release covers ${c.package}`)
          expect(r.demos.filter(d => d.package === c.package).every(d => !d.cleared), `${id}: an uncovered client copy keeps the stale session id`).toBe(true)
        }
      }
    }
  })

  it('fails mcp-proxy 6.4.4 installs for the SDK 1.27.1 bundled into its files, pinned or not', () => {
    for (const id of ['mcp-proxy-bundled', 'mcp-proxy-bundled-pin']) {
      const r = row(id)
      expect(r.copies.filter(c => c.kind === 'bundled').map(c => [c.path, c.version]), id).toEqual([['node_modules/mcp-proxy', '1.27.1']])
      expect(r.install.code, id).not.toBe(0)
      expect(r.install.messages.join('\n'), id).toContain('mcp-proxy 6.4.4 at node_modules/mcp-proxy (loaded by your app) bundles @modelcontextprotocol/sdk 1.27.1 into its own files')
      expect(r.install.messages.join('\n'), id).toContain('Override mcp-proxy to a version that depends on @modelcontextprotocol/sdk instead of bundling it')
    }
    expect(row('mcp-proxy-bundled-pin').copies.find(c => c.kind === 'package')?.ok).toBe(true)
  })

  it('pins a transitive SDK with each package manager’s override, leaving one patched copy', () => {
    for (const pm of ['npm', 'pnpm', 'yarn', 'bun']) {
      const r = row(`inspector-cli-${pm}-override`)
      expect(r.copies.map(c => [c.package, c.version, c.ok]), pm).toEqual([[SDK, '1.31.0', true]])
      expect(r.verdict, pm).toBe('green')
    }
  })

  it('leaves the pnpm store and bun cache as published', () => {
    for (const id of ['pnpm-sdk-1.27.1', 'bun-sdk-1.27.1', 'node-2.1.2-pnpm']) expect(row(id).steps.find(s => s.name === 'store left as published')?.ok, id).toBe(true)
  })

  it('shows an app on @modelcontextprotocol/client 2.4.0 the session id cleared on POST and GET 404, and recoverSession working, after postinstall', () => {
    const r = row('client-2.4.0-npm')
    expect(r.verdict).toBe('green')
    expect(r.copies.map(c => [c.package, c.version, c.ok])).toEqual([['@modelcontextprotocol/client', '2.4.0', true]])
    const demo = r.steps.find(s => s.name.startsWith('demo: POST 404'))
    expect(demo?.ok, demo?.detail).toBe(true)
    expect(demo?.detail).toMatch(/POST 404 clears the session id: yes .*GET 404 clears the session id: yes .*recoverSession starts a new session: yes \(session-1 -> session-2\)/)
  })

  it('serves a continued session through @modelcontextprotocol/node with the server package patched', () => {
    const r = row('node-2.1.2-pnpm')
    expect(r.verdict).toBe('green')
    expect(r.copies.filter(c => c.package === '@modelcontextprotocol/server').map(c => c.ok)).toEqual([true])
    expect(r.steps.find(s => s.name.startsWith('demo: a session continued'))?.detail).toMatch(/200 for the continued session; client capabilities restored: yes/)
  })
})
