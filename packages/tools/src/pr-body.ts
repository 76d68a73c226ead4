/**
 * Prints the upstream pull-request body for one fix, from the same description
 * the patch builder uses: summary, spec rule, linked issues, the change in
 * upstream's TypeScript source, the test plan with this fix's rows of the last
 * proof run (.cache/proof-table.json, written by `npm run proof`), and a
 * changeset in upstream's format.
 *
 *   npm run pr-body -- 1708-client-404
 *   npm run pr-body                      lists the fixes
 */
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fixStates, readManifest, supportedVersions } from '@mcp-sessions/patches'
import { fixes, type Fix } from './fixes/index.js'
import { cacheRoot, patchesRoot } from './paths.js'
import { SDK_PACKAGE } from './versions.js'

const UPSTREAM = 'https://github.com/modelcontextprotocol/typescript-sdk/'

export interface ProofTable {
  node: string
  finishedAt: string
  versions: string[]
  cells: Array<{ version: string; fix: string; state?: string; text: string }>
  records: Array<{ kind: 'proof' | 'guard'; fix: string; version: string; patched: boolean; test: string }>
}

/** `#1708` for an upstream issue or PR, the URL for anything else. */
function ref(url: string): { text: string; kind: 'issue' | 'pull' | 'other' } {
  const m = new RegExp(`^${UPSTREAM.replaceAll('.', '\\.')}(issues|pull)/(\\d+)$`).exec(url)
  return m ? { text: `#${m[2]}`, kind: m[1] === 'pull' ? 'pull' : 'issue' } : { text: url, kind: 'other' }
}

function linkedIssues(fix: Fix): string[] {
  return fix.bugs.map((url, i) => {
    const r = ref(url)
    if (i === 0 && r.kind === 'issue') return `- Fixes ${r.text}`
    if (r.kind === 'pull') return `- Earlier attempt: ${r.text}`
    if (r.kind === 'issue') return `- Related: ${r.text}`
    return `- Related: ${r.text}`
  })
}

function readProofTable(): ProofTable | null {
  const file = join(cacheRoot, 'proof-table.json')
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as ProofTable) : null
}

/** What this fix's patch set does per SDK version, from patches/manifest.json. */
function affected(slug: string): string[] {
  const manifest = readManifest(patchesRoot)
  return supportedVersions(manifest).map(v => `${v}: ${fixStates(manifest, v)?.[slug] ?? 'not built'}`)
}

function testPlan(fix: Fix, table: ProofTable | null): string[] {
  const out = [
    `Paired proof tests in \`${fix.test}\`: each states only the correct behaviour, and must fail (with an assertion) on the SDK as published and pass with the change, in both the esm and the cjs build. They use vitest and msw or loopback sockets (127.0.0.1, port 0), so they port to \`test/\` in this repository by swapping the matrix loader for direct imports.`,
    ''
  ]
  if (!table) {
    out.push('_No proof run saved yet: run `npm run proof`, then print this body again._')
    return out
  }
  const tests = [...new Set(table.records.filter(r => r.fix === fix.slug && r.kind === 'proof').map(r => r.test))]
  const guards = [...new Set(table.records.filter(r => r.fix === fix.slug && r.kind === 'guard').map(r => r.test))]
  if (tests.length) out.push('Proof tests (fail before, pass after):', ...tests.map(t => `- [x] ${t}`), '')
  if (guards.length) out.push('Guards (behaviour that must not change):', ...guards.map(t => `- [x] ${t}`), '')
  const rows = table.cells.filter(c => c.fix === fix.slug)
  if (!rows.length) {
    out.push(`_The saved proof run (${table.finishedAt}) has no rows for ${fix.slug}: run \`npm run proof\` again._`)
    return out
  }
  out.push(`Proof table (Node ${table.node}, ${table.finishedAt}; one run per SDK release, unpatched vs patched):`, '', `| ${SDK_PACKAGE} | result |`, '|---|---|')
  for (const row of rows) out.push(`| ${row.version} | ${row.text} |`)
  return out
}

/** The changeset upstream's release tooling reads: `.changeset/<slug>.md`. */
function changeset(fix: Fix): string[] {
  const text = (fix as Fix & { changeset?: string }).changeset ?? `${fix.title}. ${fix.description}`
  return [`\`.changeset/${fix.slug}.md\`:`, '', '```md', '---', `'${SDK_PACKAGE}': patch`, '---', '', text, '```']
}

/**
 * The PR body for `slug`, as Markdown. `table` is a saved proof run; by
 * default the last one (.cache/proof-table.json), `null` for none.
 *
 * @example
 * console.log(prBody('1708-client-404'))
 */
export function prBody(slug: string, table: ProofTable | null = readProofTable()): string {
  const fix = fixes.find(f => f.slug === slug)
  if (!fix) throw new Error(`[mcp-sessions] Unknown fix "${slug}". Known fixes: ${fixes.map(f => f.slug).join(', ')}.`)
  return [
    `## ${fix.title}`,
    '',
    fix.description,
    '',
    '### Spec',
    fix.spec ?? 'No spec rule; this hardens the implementation.',
    '',
    '### Linked issues',
    ...linkedIssues(fix),
    '',
    '### Change',
    fix.upstreamSource,
    '',
    `Carried downstream as a patch for the published dist (mcp-sessions, \`${fix.slug}\`): ${affected(fix.slug).join('; ')}.`,
    '',
    '### Test plan',
    ...testPlan(fix, table),
    '',
    '### Changeset',
    ...changeset(fix),
    ''
  ].join('\n')
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const slug = process.argv[2]
  if (!slug) {
    console.error(`Usage: npm run pr-body -- <slug>\nFixes: ${fixes.map(f => f.slug).join(', ')}`)
    process.exit(2)
  }
  try {
    process.stdout.write(prBody(slug))
  } catch (error) {
    console.error((error as Error).message)
    process.exit(1)
  }
}
