/**
 * Prints the upstream pull-request body for one fix, from the same description
 * the patch builder uses: summary, spec rule, linked issues, the change in
 * upstream's TypeScript source, the test plan with this fix's rows of the last
 * proof run (.cache/proof-table.json, written by `npm run proof`), and a
 * changeset in upstream's format.
 *
 *   npm run pr-body -- 1708-client-404           the v1.x PR (@modelcontextprotocol/sdk)
 *   npm run pr-body -- 1708-client-404 --v2      the main-branch PR (the v2 package the fix targets)
 *   npm run pr-body                              lists the fixes
 */
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fixStates, readManifest, supportedVersions } from '@mcp-sessions/patches'
import { fixes, type Fix } from './fixes/index.js'
import { cacheRoot, patchesRoot } from './paths.js'
import { SDK_PACKAGE } from './versions.js'

/** What a PR body says about one fix on one package: the v1 fields, or a v2 target's. */
interface PrFix {
  pkg: string
  title: string
  description: string
  upstreamSource: string
  test: string
  /** The upstream branch the PR targets: `v1.x` for the v1 SDK, `main` for the v2 packages. */
  base: string
}

function onPackage(fix: Fix, pkg: string): PrFix {
  if (pkg === SDK_PACKAGE) return { pkg, title: fix.title, description: fix.description, upstreamSource: fix.upstreamSource, test: fix.test, base: 'v1.x' }
  const target = fix.targets?.find(t => t.package === pkg)
  if (!target) throw new Error(`[mcp-sessions] Fix ${fix.slug} does not target ${pkg}. It targets: ${[SDK_PACKAGE, ...(fix.targets ?? []).map(t => t.package)].join(', ')}.`)
  return { pkg, title: target.title ?? fix.title, description: target.description ?? fix.description, upstreamSource: target.upstreamSource, test: target.test ?? fix.test, base: 'main' }
}

const UPSTREAM = 'https://github.com/modelcontextprotocol/typescript-sdk/'

/** `.cache/proof-table.json`; rows without `package` (runs before v2 support) are the v1 SDK's. */
export interface ProofTable {
  node: string
  finishedAt: string
  versions: string[]
  cells: Array<{ package?: string; version: string; fix: string; state?: string; text: string }>
  records: Array<{ kind: 'proof' | 'guard'; fix: string; package?: string; version: string; patched: boolean; test: string }>
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

/** What this fix's patch set does per release of `pkg`, from patches/manifest.json. */
function affected(slug: string, pkg: string): string[] {
  const manifest = readManifest(patchesRoot)
  return supportedVersions(manifest, pkg).map(v => `${v}: ${fixStates(manifest, v, pkg)?.[slug] ?? 'not built'}`)
}

function testPlan(slug: string, fix: PrFix, table: ProofTable | null): string[] {
  const where = fix.pkg === SDK_PACKAGE ? '`test/`' : `\`packages/${fix.pkg.split('/')[1]}/test/\``
  const out = [
    `Paired proof tests in \`${fix.test}\`: each states only the correct behaviour, and must fail (with an assertion) on ${fix.pkg} as published and pass with the change, in both the esm and the cjs build. They use vitest and msw or loopback sockets (127.0.0.1, port 0), so they port to ${where} in this repository by swapping the matrix loader for direct imports.`,
    ''
  ]
  if (!table) {
    out.push('_No proof run saved yet: run `npm run proof`, then print this body again._')
    return out
  }
  const mine = (r: { fix: string; package?: string }) => r.fix === slug && (r.package ?? SDK_PACKAGE) === fix.pkg
  const tests = [...new Set(table.records.filter(r => mine(r) && r.kind === 'proof').map(r => r.test))]
  const guards = [...new Set(table.records.filter(r => mine(r) && r.kind === 'guard').map(r => r.test))]
  if (tests.length) out.push('Proof tests (fail before, pass after):', ...tests.map(t => `- [x] ${t}`), '')
  if (guards.length) out.push('Guards (behaviour that must not change):', ...guards.map(t => `- [x] ${t}`), '')
  const rows = table.cells.filter(mine)
  if (!rows.length) {
    out.push(`_The saved proof run (${table.finishedAt}) has no rows for ${slug} on ${fix.pkg}: run \`npm run proof\` again._`)
    return out
  }
  out.push(`Proof table (Node ${table.node}, ${table.finishedAt}; one run per release, unpatched vs patched):`, '', `| ${fix.pkg} | result |`, '|---|---|')
  for (const row of rows) out.push(`| ${row.version} | ${row.text} |`)
  return out
}

/** The changeset upstream's release tooling reads: `.changeset/<slug>.md`. */
function changeset(slug: string, fix: PrFix): string[] {
  return [`\`.changeset/${slug}.md\`:`, '', '```md', '---', `'${fix.pkg}': patch`, '---', '', `${fix.title}. ${fix.description}`, '```']
}

/**
 * The PR body for `slug` on `pkg` (the v1 SDK by default, or a v2 package the
 * fix targets), as Markdown. `table` is a saved proof run; by default the last
 * one (.cache/proof-table.json), `null` for none.
 *
 * @example
 * console.log(prBody('1708-client-404'))
 * console.log(prBody('1708-client-404', undefined, '@modelcontextprotocol/client'))
 */
export function prBody(slug: string, table: ProofTable | null = readProofTable(), pkg = SDK_PACKAGE): string {
  const found = fixes.find(f => f.slug === slug)
  if (!found) throw new Error(`[mcp-sessions] Unknown fix "${slug}". Known fixes: ${fixes.map(f => f.slug).join(', ')}.`)
  const fix = onPackage(found, pkg)
  return [
    `## ${fix.title}`,
    '',
    `Base branch: \`${fix.base}\` (${fix.pkg}).`,
    '',
    fix.description,
    '',
    '### Spec',
    found.spec ?? 'No spec rule; this hardens the implementation.',
    '',
    '### Linked issues',
    ...linkedIssues(found),
    '',
    '### Change',
    fix.upstreamSource,
    '',
    `Carried downstream as a patch for the published dist of ${fix.pkg} (mcp-sessions, \`${slug}\`): ${affected(slug, fix.pkg).join('; ')}.`,
    '',
    '### Test plan',
    ...testPlan(slug, fix, table),
    '',
    '### Changeset',
    ...changeset(slug, fix),
    ''
  ].join('\n')
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [slug, flag] = process.argv.slice(2)
  if (!slug || (flag && flag !== '--v2')) {
    console.error(`Usage: npm run pr-body -- <slug> [--v2]\nFixes: ${fixes.map(f => `${f.slug}${f.targets?.length ? ` (v2: ${f.targets.map(t => t.package).join(', ')})` : ''}`).join(', ')}`)
    process.exit(2)
  }
  try {
    const v2 = fixes.find(f => f.slug === slug)?.targets?.[0]?.package
    if (flag && !v2) throw new Error(`[mcp-sessions] Fix ${slug} has no v2 target.`)
    process.stdout.write(prBody(slug, undefined, flag ? v2 : SDK_PACKAGE))
  } catch (error) {
    console.error((error as Error).message)
    process.exit(1)
  }
}
