/**
 * Every fix prints an upstream PR body: summary, spec, linked issues, the
 * TypeScript source it changes, a test plan with its proof-table rows, and an
 * upstream-format changeset.
 */
import { describe, expect, it } from 'vitest'
import { fixes } from '@mcp-sessions/tools/fixes/index.js'
import { prBody } from '@mcp-sessions/tools/pr-body.js'

const table = (slug: string) => ({
  node: 'v20.0.0',
  finishedAt: '2026-01-01T00:00:00.000Z',
  versions: ['1.27.1', '1.32.2'],
  cells: [
    { version: '1.27.1', fix: slug, state: 'patched', text: '✅ fails unpatched 3, passes patched 3' },
    { version: '1.32.2', fix: 'another-fix', state: 'patched', text: '✅ fails unpatched 9, passes patched 9' }
  ],
  records: [
    { kind: 'proof' as const, fix: slug, version: '1.27.1', patched: true, test: 'does the right thing' },
    { kind: 'guard' as const, fix: slug, version: '1.27.1', patched: true, test: 'keeps the old behaviour' }
  ]
})

describe('pr-body', () => {
  it.each(fixes.map(f => f.slug))('prints the PR body for %s', slug => {
    const fix = fixes.find(f => f.slug === slug)!
    const body = prBody(slug, table(slug))
    expect(body).toContain(`## ${fix.title}`)
    expect(body).toContain(fix.description)
    expect(body).toContain(fix.upstreamSource)
    expect(body).toMatch(/### Linked issues\n- (Fixes|Related:) (#\d+|https:\/\/)/)
    expect(body).toContain('| 1.27.1 | ✅ fails unpatched 3, passes patched 3 |')
    expect(body).not.toContain('fails unpatched 9')
    expect(body).toContain('- [x] does the right thing')
    expect(body).toContain('- [x] keeps the old behaviour')
    expect(body).toContain(`\`.changeset/${slug}.md\`:\n\n\`\`\`md\n---\n'@modelcontextprotocol/sdk': patch\n---\n`)
  })

  it('says how to get the proof table when no run was saved', () => {
    expect(prBody(fixes[0]!.slug, null)).toMatch(/run `npm run proof`/)
  })

  it('names the known fixes for an unknown slug', () => {
    expect(() => prBody('9999-nope')).toThrow(/Unknown fix "9999-nope". Known fixes: 1708-client-404/)
  })
})
