/**
 * The patch builder refuses an edit that leaves a file unparseable, naming
 * the fix, the edit and the file, instead of shipping a patch that breaks
 * the app loading it.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it, onTestFinished } from 'vitest'
import { applyFix } from '@mcp-sessions/tools/build-patches.js'
import type { Fix } from '@mcp-sessions/tools/fixes/index.js'

function sdk(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'mcps-build-'))
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }))
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(join(dir, file, '..'), { recursive: true })
    writeFileSync(join(dir, file), text)
  }
  return dir
}

const fix = (replace: string): Fix => ({
  slug: '9999-test', title: 't', description: 'd', bugs: ['https://example.invalid/1'], forwarded: 'no', lastUpdate: '2026-12-01',
  test: 'tests/x.test.ts', upstreamSource: 'src/x.ts',
  edits: [{ name: 'the-edit', files: ['dist/esm/x.js', 'dist/esm/x.d.ts'], find: /answer\(\)/, replace }]
})

describe('patch builder', () => {
  const files = { 'dist/esm/x.js': 'export function answer() { return 42 }\n', 'dist/esm/x.d.ts': 'export declare function answer(): number;\n' }

  it('applies an edit that keeps every file parseable', () => {
    const out = new Map<string, string>()
    expect(applyFix(fix('answer(/* mcp-sessions:9999-test */)'), '1.32.2', sdk(files), out)).toBe('patched')
    expect(out.get('dist/esm/x.js')).toContain('mcp-sessions:9999-test')
  })

  it('fails on an edit that breaks the syntax of a patched file, naming fix, edit and file', () => {
    const out = new Map<string, string>()
    expect(() => applyFix(fix('answer( /* mcp-sessions:9999-test */ {'), '1.32.2', sdk(files), out))
      .toThrow(/fix 9999-test, edit "the-edit", @modelcontextprotocol\/sdk@1\.32\.2 dist\/esm\/x\.js: the patched file does not parse/)
  })
})
