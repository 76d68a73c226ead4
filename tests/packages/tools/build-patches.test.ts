/**
 * The patch builder refuses an edit that leaves a file unparseable, naming
 * the fix, the edit and the file, instead of shipping a patch that breaks
 * the app loading it.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { applyEdits } from '@mcp-sessions/tools/apply-edits.js'
import { applyFix } from '@mcp-sessions/tools/build-patches.js'
import type { Fix } from '@mcp-sessions/tools/fixes/index.js'
import { tempDir } from '../../helpers/temp.js'

function sdk(files: Record<string, string>): string {
  const dir = tempDir('mcps-build-')
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

describe('patch builder, edits that find their file by content (v2 bundles)', () => {
  const bundle = {
    'dist/index.mjs': 'import { a } from "./public-AbC123.mjs";\nexport { a };\n',
    'dist/public-AbC123.mjs': 'export class Client { connect() { return 1 } }\n',
    'dist/src-XyZ789.mjs': 'export class Protocol { connect() { return 2 } }\n'
  }
  const job = (find: RegExp, unlessPresent?: RegExp) => ({
    slug: '9999-test',
    edits: [{ name: 'client-connect', files: ['dist/*.mjs'], find, replace: '$& /* mcp-sessions:9999-test */', unlessPresent }],
    pkg: '@modelcontextprotocol/client',
    version: '2.4.0',
    pkgDir: sdk(bundle),
    source: 'packages/tools/src/fixes/v2/9999-test.ts'
  })

  it('patches the one file whose text the edit matches, hashed name and all', () => {
    const out = new Map<string, string>()
    const { state, touched } = applyEdits(job(/class Client \{ connect\(\) \{/), out)
    expect(state).toBe('patched')
    expect([...touched]).toEqual(['dist/public-AbC123.mjs'])
    expect(out.get('dist/public-AbC123.mjs')).toContain('mcp-sessions:9999-test')
  })

  it('fails when no file matches, naming fix, edit, package, version and pattern', () => {
    expect(() => applyEdits(job(/class Server \{/), new Map())).toThrow(
      /fix 9999-test, edit "client-connect", @modelcontextprotocol\/client@2\.4\.0 dist\/\*\.mjs: no file among 3 matches the pattern, expected exactly one\. Update the edit in packages\/tools\/src\/fixes\/v2\/9999-test\.ts/
    )
  })

  it('fails when several files match, naming them', () => {
    expect(() => applyEdits(job(/connect\(\) \{/), new Map())).toThrow(/the pattern matched in 2 files \(dist\/public-AbC123\.mjs, dist\/src-XyZ789\.mjs\), expected exactly one/)
  })

  it('is not affected when a file already ships the behaviour (unlessPresent)', () => {
    const out = new Map<string, string>()
    expect(applyEdits(job(/class Client \{ connect\(\) \{/, /return 1/), out).state).toBe('not-affected')
    expect(out.size).toBe(0)
  })
})
