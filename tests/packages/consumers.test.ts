/**
 * The patch set as users install it: the packed @mcp-sessions/patches in fresh
 * apps under npm, pnpm, yarn (berry) and bun, each on its own SDK version,
 * and the v2 apps: @modelcontextprotocol/client 2.4.0 (npm), a server on
 * @modelcontextprotocol/node (pnpm), fastmcp 4.20 (npm)
 * (packages/tools/src/consumers.ts). Slow (about 30-90 s, most of it installs
 * from the registry), so it runs as one test.
 */
import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { expect, it } from 'vitest'

const run = promisify(execFile)
const root = join(import.meta.dirname, '..', '..')

it('installs, applies, verifies and demonstrates the fixes with npm, pnpm, yarn berry and bun, on v1 and v2', async () => {
  const result = await run(process.execPath, [join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs'), join(root, 'packages', 'tools', 'src', 'consumers.ts')], { cwd: root, maxBuffer: 16 * 1024 * 1024 }).then(
    r => ({ code: 0, ...r }),
    (e: { code: number; stdout: string; stderr: string }) => e
  )
  expect(result.code, result.stdout + result.stderr).toBe(0)
  const rows = result.stdout.split('\n').filter(l => l.startsWith('| ') && !l.startsWith('| package manager'))
  for (const pm of ['npm@', 'pnpm@', '@yarnpkg/cli-dist@', 'bun@']) {
    const mine = rows.filter(r => r.startsWith(`| ${pm}`))
    expect(mine.find(r => r.includes('| mcp-sessions-patch verify |')), pm).toMatch(/\| pass: fixed 1708-client-404/)
    expect(mine.find(r => r.includes('| demo script |')), pm).toMatch(/404 clears the session id: yes/)
    expect(mine.find(r => r.includes('(unsupported) fails the install |')), pm).toMatch(/\| pass/)
    expect(mine.every(r => r.includes('| pass')), mine.join('\n')).toBe(true)
  }
  expect(rows.filter(r => r.includes('| store left as published | pass'))).toHaveLength(3)
  const app = (name: string) => rows.filter(r => r.includes(` | ${name} | `))
  // An app on @modelcontextprotocol/client 2.4.0, after postinstall: the id cleared on POST and GET 404, recovery working.
  expect(app('client-2.4.0').find(r => r.includes('| demo script |'))).toMatch(/pass: POST 404 clears the session id: yes .*GET 404 clears the session id: yes .*recoverSession starts a new session: yes \(session-1 -> session-2\)/)
  expect(app('node-2.1.2').find(r => r.includes('| demo script |'))).toMatch(/pass: hydrate through @modelcontextprotocol\/node: 200 for the continued session; client capabilities restored: yes/)
  expect(app('fastmcp-4.20.16').find(r => r.includes('| mcp-sessions-patch verify --from fastmcp |'))).toMatch(/pass: @modelcontextprotocol\/client 2\.4\.0: 1708-client-404.*@modelcontextprotocol\/server 2\.4\.0: 2559-json-response-leak/)
  for (const name of ['client-2.4.0', 'node-2.1.2', 'fastmcp-4.20.16']) expect(app(name).length, name).toBeGreaterThan(1)
}, 360_000)
