/**
 * The proof harness. Installs the matrix cells, runs every fix's proof tests and
 * the guard suites in each cell (package release x plain/patched), and prints the
 * tables, one for the v1 SDK and one for the v2 packages: a fix is proven on a
 * release when its tests fail on the plain package (with an assertion, see
 * tests/helpers/proof.ts) and pass on the patched one.
 *
 *   npm run proof        the proof tables (matrix cells only)
 *   npm test             everything: patch freshness, package tests, the fault suite, hostile-input and interop tests, then the proof tables
 *
 * MCPS_VERSIONS limits the cells: `1.32.2,1.27.1`, `client@2.4.0`, `server`, `v1`, `v2` (see cells.ts).
 */
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { SDK_PACKAGE, fixStates, readManifest } from '@mcp-sessions/patches'
import type { ProofRecord } from '../../../tests/helpers/proof.js'
import { cellKey, type CellId } from './cells.js'
import { ensureCells, selectedCells } from './matrix.js'
import { cacheRoot, repoRoot } from './paths.js'

interface VitestJson {
  testResults: Array<{
    name: string
    status: string
    message?: string
    assertionResults: Array<{ status: string; fullName: string; title: string; failureMessages?: string[] }>
  }>
}

const all = process.argv.includes('--all')
const cells = selectedCells()
const manifest = readManifest()
const problems: string[] = []
const started = Date.now()

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): number {
  const r = spawnSync(cmd, args, { cwd: repoRoot, stdio: 'inherit', env: { ...process.env, ...env } })
  return r.status ?? 1
}

/** How long each step took, printed at the end (also when the run fails). */
const timings: Array<[string, number]> = []

/** Runs one step of the run under a heading; a non-zero exit becomes `problem`. */
function step(heading: string, problem: string, work: () => number): void {
  console.log(`\n== ${heading}`)
  const t = Date.now()
  const code = work()
  timings.push([heading, (Date.now() - t) / 1000])
  if (code !== 0) problems.push(`${problem} (exit ${code})`)
}

const tmp = mkdtempSync(join(tmpdir(), 'mcps-proof-'))
// Removed however the run ends (a failed ensureCells throws before the reports are read).
process.once('exit', () => rmSync(tmp, { recursive: true, force: true }))
const vitest = join(repoRoot, 'node_modules', 'vitest', 'vitest.mjs')
/** Vitest's JSON reporter, beside the default one; `failures` reads it back. */
const jsonReport = (file: string) => ['--reporter=default', '--reporter=json', `--outputFile.json=${file}`]

/**
 * The first line of a failure. A vitest timeout, of a test or of a hook such as `onTestFinished`, reaches the JSON
 * report as the stack of an error made where the test or hook was registered, whose first line is only
 * "Error: STACK_TRACE_ERROR"; the frame that names the place is what tells which one ran out of time.
 */
function firstLine(text: string | undefined): string {
  const lines = (text ?? '').split('\n').map(l => l.trim()).filter(Boolean)
  const first = lines[0]?.slice(0, 300) ?? ''
  if (first !== 'Error: STACK_TRACE_ERROR') return first
  const at = lines.find(l => l.startsWith('at ') && l.includes(repoRoot) && !l.includes('node_modules'))
  return `timed out: a test or a hook went past its limit${at ? `, the one registered ${at.replace('file://', '').replace(repoRoot + '/', '')}` : ''}`
}

/**
 * The tests a JSON report records as failed, one line each with the first line of its error, and a file that
 * failed outside any test (a hook, an import). Printed again at the end, so the tail of a CI log names them.
 */
function failures(file: string, label: string): string[] {
  if (!existsSync(file)) return [`${label}: no JSON report (vitest did not finish)`]
  const json = JSON.parse(readFileSync(file, 'utf8')) as VitestJson
  return json.testResults.flatMap(f => {
    const name = f.name.replace(repoRoot + '/', '')
    const tests = f.assertionResults.filter(a => a.status === 'failed')
    if (!tests.length) return f.status === 'failed' ? [`${label}: ${name}: ${firstLine(f.message)}`] : []
    return tests.map(a => `${label}: ${name} > ${a.fullName}: ${firstLine(a.failureMessages?.[0])}`)
  })
}
const failedTests: string[] = []

/** A vitest project run as one step; its failed tests join `failedTests`. */
function vitestStep(heading: string, project: string, ...args: string[]): void {
  const file = join(tmp, `${heading.replace(/[^a-z0-9]+/gi, '-')}.json`)
  step(heading, `${heading} failed`, () => {
    const code = run(process.execPath, [vitest, 'run', '--project', project, ...args, ...jsonReport(file)])
    if (code !== 0) failedTests.push(...failures(file, project))
    return code
  })
}

/** One of our TypeScript tools, resolving our packages to their sources. */
const tsx = (script: string, ...args: string[]) =>
  run(process.execPath, [join(repoRoot, 'node_modules', 'tsx', 'dist', 'cli.mjs'), '--conditions=mcps-source', script, ...args])

if (all) {
  // Some tests run the built packages (as an app installs them): build what changed.
  step('build', 'the packages do not build', () => run(process.execPath, [join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc'), '-b', 'packages/patches', 'packages/server', 'packages/redis']))
  step('patches are what the builder produces', 'committed patches differ from the builder output', () => tsx('packages/tools/src/build-patches.ts', '--check'))
}

console.log(`\n== matrix cells: ${cells.map(c => cellKey(c, manifest)).join(', ')}`)
await ensureCells(cells)

const log = join(tmp, 'proof.jsonl')
const report = join(tmp, 'vitest.json')
if (all) {
  // Our own packages first, on their own: their multi-node tests start several processes each and time out
  // when they share the machine with eight matrix workers. The same holds beside the patch tooling's tests
  // (installs, CLI runs, bundling; the CPU of two cores for minutes): together, on a machine that was slower than
  // CI's, 12 tests timed out in 514 s (cluster nodes not listening within 20 s, a fingerprint build past 300 s);
  // apart, 100 s and 341 s, none. So the session packages run first, then the tooling.
  const runtime = ['tests/packages/server/', 'tests/packages/redis/']
  vitestStep('vitest (packages: server, redis)', 'packages', '--maxWorkers=4', ...runtime)
  vitestStep('vitest (packages: patches, tools)', 'packages', '--maxWorkers=4', ...runtime.flatMap(dir => ['--exclude', `${dir}**`]))
  // After the packages, on its own: each test runs a Redis, three nodes, haproxy and two client processes, and its
  // outcome depends on timing (balancer cuts, reconnection delays) that other suites beside it would skew. The
  // project runs its files one at a time (fileParallelism: false in vitest.config.ts).
  await ensureCells(['1.32.2'])
  vitestStep('vitest (faults)', 'faults')
  vitestStep('vitest (hostile input)', 'hostile', '--maxWorkers=3')
  // The official conformance suite and foreign clients (tests/interop/), then the README table they feed.
  vitestStep('vitest (interop)', 'interop', '--maxWorkers=4')
  step('README compatibility table', 'the README compatibility table differs from what the interop tests recorded', () => tsx('packages/tools/src/interop-table.ts', '--check'))
}
console.log('\n== vitest (matrix cells)')
const tCells = Date.now()
const projects = [...new Set(cells.map(c => (c.pkg === SDK_PACKAGE ? 'sdk@*' : `${manifest.packages[c.pkg]!.dir}@*`)))].flatMap(p => ['--project', p])
const code = run(process.execPath, [vitest, 'run', ...projects, ...jsonReport(report)], {
  MCPS_PROOF_LOG: log,
  MCPS_VERSIONS: cells.map(c => cellKey(c, manifest)).join(',')
})
if (code !== 0) {
  problems.push(`vitest exited ${code}`)
  failedTests.push(...failures(report, 'matrix'))
}
const cellSeconds = (Date.now() - tCells) / 1000

const records: ProofRecord[] = existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').filter(Boolean).map(l => JSON.parse(l)) : []

const count = (pred: (r: ProofRecord) => boolean) => records.filter(pred).length
/** Records from before v2 support carry no package: the v1 SDK. */
const inCell = (cell: CellId) => (r: ProofRecord) => (r.package ?? SDK_PACKAGE) === cell.pkg && r.version === cell.version
/** The run as data, saved to .cache/proof-table.json for pr-body.ts and other readers. */
const saved = {
  node: process.version,
  finishedAt: '',
  versions: cells.filter(c => c.pkg === SDK_PACKAGE).map(c => c.version),
  cells: [] as Array<{ package: string; version: string; fix: string; state?: string; text: string }>,
  fixes: manifest.fixes.map(f => f.slug),
  records
}

/** One proof-table cell: what the fix's tests did on this release, plain and patched. */
function proofCell(cell: CellId, slug: string): string {
  const state = fixStates(manifest, cell.version, cell.pkg)?.[slug]
  if (state === undefined) return '-'
  const mine = (patched: boolean) => (r: ProofRecord) => inCell(cell)(r) && r.fix === slug && r.patched === patched && r.kind === 'proof'
  let text: string
  if (state === 'not-affected') {
    const plain = count(mine(false))
    const patched = count(mine(true))
    if (plain === 0 || plain !== patched) problems.push(`${slug} on ${cellKey(cell, manifest)}: not affected, but ${plain} proof tests passed plain and ${patched} patched (they must be equal and non-zero)`)
    text = `not affected (passes ${plain} plain, ${patched} patched)`
  } else {
    const failedUnpatched = count(r => mine(false)(r) && r.outcome === 'failed-as-expected')
    const passedPatched = count(mine(true))
    const ok = failedUnpatched > 0 && failedUnpatched === passedPatched
    if (!ok) problems.push(`${slug} on ${cellKey(cell, manifest)}: ${failedUnpatched} proof tests failed unpatched, ${passedPatched} passed patched (they must be equal and non-zero)`)
    text = `${ok ? '✅' : '❌'} fails unpatched ${failedUnpatched}, passes patched ${passedPatched}`
  }
  saved.cells.push({ package: cell.pkg, version: cell.version, fix: slug, state, text })
  return text
}

/** A proof table for some cells; `label` names a cell in its row, columns are the fixes any of them has. */
function proofTable(title: string, rows: CellId[], label: (c: CellId) => string): string[] {
  const fixes = manifest.fixes.filter(f => rows.some(c => fixStates(manifest, c.version, c.pkg)?.[f.slug] !== undefined))
  const header = [title, ...fixes.map(f => `${f.number} ${f.slug}`)]
  return [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map(c => `| ${label(c)} | ${fixes.map(f => proofCell(c, f.slug)).join(' | ')} |`)]
}

/** Guards per cell, plain / patched; a guard area a cell does not run shows `-`. */
function guardTable(rows: CellId[], label: (c: CellId) => string): string[] {
  const areas = [...new Set(records.filter(r => r.kind === 'guard' && rows.some(c => inCell(c)(r))).map(r => r.fix))].sort()
  if (!areas.length) return []
  const cell = (c: CellId, area: string) => {
    const plain = count(r => r.kind === 'guard' && r.fix === area && inCell(c)(r) && !r.patched)
    const patched = count(r => r.kind === 'guard' && r.fix === area && inCell(c)(r) && r.patched)
    if (plain !== patched) problems.push(`guards ${area} on ${cellKey(c, manifest)}: ${plain} passed plain, ${patched} patched (they must be equal)`)
    return plain + patched === 0 ? '-' : `${plain} / ${patched}`
  }
  return ['', `| Guards (must pass everywhere): plain / patched | ${areas.join(' | ')} |`, `|---|${areas.map(() => '---').join('|')}|`, ...rows.map(c => `| ${label(c)} | ${areas.map(a => cell(c, a)).join(' | ')} |`)]
}

const v1 = cells.filter(c => c.pkg === SDK_PACKAGE)
const v2 = cells.filter(c => c.pkg !== SDK_PACKAGE)
const lines: string[] = []
if (v1.length) lines.push(...proofTable('SDK', v1, c => c.version), ...guardTable(v1, c => c.version))
if (v2.length) {
  const v2Label = (c: CellId) => `${c.pkg.replace('@modelcontextprotocol/', '')} ${c.version}`
  if (lines.length) lines.push('', '')
  lines.push(...proofTable('v2 package', v2, v2Label), ...guardTable(v2, v2Label))
}

saved.finishedAt = new Date().toISOString()
mkdirSync(cacheRoot, { recursive: true })
writeFileSync(join(cacheRoot, 'proof-table.json'), JSON.stringify(saved, null, 2) + '\n')

console.log('\n== proof tables\n')
console.log(lines.join('\n'))
const took = (s: number) => `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`
timings.push(['vitest (matrix cells)', cellSeconds])
console.log(`\nTimes: ${timings.map(([heading, seconds]) => `${heading} ${took(seconds)}`).join('; ')}; whole run ${took((Date.now() - started) / 1000)}`)
if (failedTests.length) {
  // The same test fails once per matrix cell it runs in: one line each, with how many times.
  const times = new Map<string, number>()
  for (const line of failedTests) times.set(line, (times.get(line) ?? 0) + 1)
  const named = [...times].map(([line, n]) => (n > 1 ? `${line} (${n} times)` : line))
  const shown = named.slice(0, 40)
  if (named.length > shown.length) shown.push(`and ${named.length - shown.length} more (the log above has them all)`)
  console.error(`\nFailed tests (first line of each error):\n  ${shown.join('\n  ')}`)
}
if (problems.length) {
  console.error(`\n[mcp-sessions] The proof run failed:\n  ${problems.join('\n  ')}`)
  process.exit(1)
}
console.log(`\nproof: ${v1.length} v1 releases, ${v2.length} v2 package releases, ${records.length} recorded test runs, all proofs hold (matrix cells ${took(cellSeconds)}, whole run ${took((Date.now() - started) / 1000)})`)
