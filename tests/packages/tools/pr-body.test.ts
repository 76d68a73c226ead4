/**
 * Every fix prints an upstream PR body: summary, spec, linked issues, the
 * TypeScript source it changes, a test plan with its proof-table rows, and an
 * upstream-format changeset; for the v1.x branch (`@modelcontextprotocol/sdk`)
 * and, where the fix targets them, for main (the v2 packages).
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
    expect(body).toContain('Base branch: `v1.x` (@modelcontextprotocol/sdk).')
  })

  const v2Targets = fixes.flatMap(f => (f.targets ?? []).map(t => [f.slug, t.package] as const))

  it.each(v2Targets)('prints the main-branch PR body for %s on %s', (slug, pkg) => {
    const fix = fixes.find(f => f.slug === slug)!
    const target = fix.targets!.find(t => t.package === pkg)!
    const saved = table(slug)
    saved.cells.push({ package: pkg, version: '2.4.0', fix: slug, state: 'patched', text: '✅ fails unpatched 7, passes patched 7' } as never)
    saved.records.push({ kind: 'proof', fix: slug, package: pkg, version: '2.4.0', patched: true, test: 'does the v2 thing' } as never)
    const body = prBody(slug, saved, pkg)
    expect(body).toContain(`## ${target.title ?? fix.title}`)
    expect(body).toContain(`Base branch: \`main\` (${pkg}).`)
    expect(body).toContain(target.description ?? fix.description)
    expect(body).toContain(target.upstreamSource)
    expect(body).toContain('| 2.4.0 | ✅ fails unpatched 7, passes patched 7 |')
    expect(body).not.toContain('| 1.27.1 |')
    expect(body).toContain('- [x] does the v2 thing')
    expect(body).not.toContain('- [x] does the right thing')
    expect(body).toContain(`'${pkg}': patch`)
  })

  it('names the packages a fix targets when asked for another', () => {
    const v1Only = fixes.find(f => !f.targets?.some(t => t.package === '@modelcontextprotocol/client'))!
    expect(() => prBody(v1Only.slug, null, '@modelcontextprotocol/client')).toThrow(/does not target @modelcontextprotocol\/client\. It targets: @modelcontextprotocol\/sdk/)
  })

  it('says how to get the proof table when no run was saved', () => {
    expect(prBody(fixes[0]!.slug, null)).toMatch(/run `npm run proof`/)
  })

  it('names the known fixes for an unknown slug', () => {
    expect(() => prBody('9999-nope')).toThrow(/Unknown fix "9999-nope". Known fixes: 1708-client-404/)
  })
})
