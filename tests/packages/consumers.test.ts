/**
 * The patch set as users install it: the packed @mcp-sessions/patches in fresh
 * apps under npm, pnpm, yarn (berry) and bun, each on its own SDK version
 * (packages/tools/src/consumers.ts). Slow (about 15-45 s, most of it installs
 * from the registry), so it runs as one test.
 */
import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { expect, it } from 'vitest'

const run = promisify(execFile)
const root = join(import.meta.dirname, '..', '..')

it('installs, applies, verifies and demonstrates the fixes with npm, pnpm, yarn berry and bun', async () => {
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
  expect(rows.filter(r => r.includes('| store left as published | pass'))).toHaveLength(2)
}, 240_000)
