/**
 * The proof harness. Installs the matrix cells, runs every fix's proof tests and
 * the guard suites in each cell (SDK version x plain/patched), and prints the
 * table: a fix is proven on a version when its tests fail on the plain SDK (with
 * an assertion, see tests/helpers/proof.ts) and pass on the patched one.
 *
 *   npm run proof        the proof table (matrix cells only)
 *   npm test             everything: patch freshness, package tests, interop tests, then the proof table
 *
 * MCPS_VERSIONS=1.32.2,1.27.1 limits the versions.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fixStates, readManifest } from '@mcp-sessions/patches'
import type { ProofRecord } from '../../../tests/helpers/proof.js'
import { ensureCells, selectedVersions } from './matrix.js'
import { cacheRoot, repoRoot } from './paths.js'

interface VitestJson {
  testResults: Array<{ name: string; assertionResults: Array<{ status: string; fullName: string; title: string }> }>
}

const all = process.argv.includes('--all')
const versions = selectedVersions()
const manifest = readManifest()
const problems: string[] = []

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): number {
  const r = spawnSync(cmd, args, { cwd: repoRoot, stdio: 'inherit', env: { ...process.env, ...env } })
  return r.status ?? 1
}

/** One of our TypeScript tools, resolving our packages to their sources. */
const tsx = (script: string, ...args: string[]) =>
  run(process.execPath, [join(repoRoot, 'node_modules', 'tsx', 'dist', 'cli.mjs'), '--conditions=mcps-source', script, ...args])

if (all) {
  // Some tests run the built packages (as an app installs them): build what changed.
  console.log('\n== build')
  if (run(process.execPath, [join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc'), '-b', 'packages/patches', 'packages/server', 'packages/redis']) !== 0) problems.push('the packages do not build')
  console.log('\n== patches are what the builder produces')
  if (tsx('packages/tools/src/build-patches.ts', '--check') !== 0) problems.push('committed patches differ from the builder output')
}

console.log(`\n== matrix cells: ${versions.join(', ')}`)
await ensureCells(versions)

const tmp = mkdtempSync(join(tmpdir(), 'mcps-proof-'))
const log = join(tmp, 'proof.jsonl')
const report = join(tmp, 'vitest.json')
const vitest = join(repoRoot, 'node_modules', 'vitest', 'vitest.mjs')
if (all) {
  // Our own packages first, on their own: their multi-node tests start several processes each and time out
  // when they share the machine with eight matrix workers.
  console.log('\n== vitest (packages)')
  const packagesCode = run(process.execPath, [vitest, 'run', '--project', 'packages', '--maxWorkers=4'])
  if (packagesCode !== 0) problems.push(`vitest (packages) exited ${packagesCode}`)
  console.log('\n== vitest (hostile input)')
  const hostileCode = run(process.execPath, [vitest, 'run', '--project', 'hostile', '--maxWorkers=3'])
  if (hostileCode !== 0) problems.push(`vitest (hostile) exited ${hostileCode}`)
  // The official conformance suite and foreign clients (tests/interop/), then the README table they feed.
  console.log('\n== vitest (interop)')
  const interopCode = run(process.execPath, [vitest, 'run', '--project', 'interop', '--maxWorkers=4'])
  if (interopCode !== 0) problems.push(`vitest (interop) exited ${interopCode}`)
  if (tsx('packages/tools/src/interop-table.ts', '--check') !== 0) problems.push('the README compatibility table differs from what the interop tests recorded')
}
console.log('\n== vitest (matrix cells)')
const code = run(process.execPath, [vitest, 'run', '--project', 'sdk@*', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`], {
  MCPS_PROOF_LOG: log,
  MCPS_VERSIONS: versions.join(',')
})
if (code !== 0) problems.push(`vitest exited ${code}`)

const records: ProofRecord[] = existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').filter(Boolean).map(l => JSON.parse(l)) : []
const failedFiles = new Map<string, number>()
if (existsSync(report)) {
  const json = JSON.parse(readFileSync(report, 'utf8')) as VitestJson
  for (const file of json.testResults) {
    const failed = file.assertionResults.filter(a => a.status === 'failed').length
    if (failed) failedFiles.set(file.name, (failedFiles.get(file.name) ?? 0) + failed)
  }
}
rmSync(tmp, { recursive: true, force: true })

const count = (pred: (r: ProofRecord) => boolean) => records.filter(pred).length
/** The run as data, saved to .cache/proof-table.json for pr-body.ts and other readers. */
const saved = { node: process.version, finishedAt: '', versions, fixes: manifest.fixes.map(f => f.slug), cells: [] as Array<{ version: string; fix: string; state?: string; text: string }>, records }
const lines: string[] = []
const header = ['SDK', ...manifest.fixes.map(f => `${f.number} ${f.slug}`)]
lines.push(`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`)
for (const version of versions) {
  const cells = manifest.fixes.map(fix => {
    const state = fixStates(manifest, version)?.[fix.slug]
    const mine = (patched: boolean, kind: ProofRecord['kind']) => (r: ProofRecord) => r.version === version && r.fix === fix.slug && r.patched === patched && r.kind === kind
    if (state === 'not-affected') {
      const plain = count(mine(false, 'proof'))
      const patched = count(mine(true, 'proof'))
      saved.cells.push({ version, fix: fix.slug, state, text: `not affected (passes ${plain} plain, ${patched} patched)` })
      return `not affected (passes ${plain} plain, ${patched} patched)`
    }
    const failedUnpatched = count(r => mine(false, 'proof')(r) && r.outcome === 'failed-as-expected')
    const passedPatched = count(mine(true, 'proof'))
    const ok = failedUnpatched > 0 && failedUnpatched === passedPatched
    if (!ok) problems.push(`${fix.slug} on ${version}: ${failedUnpatched} proof tests failed unpatched, ${passedPatched} passed patched (they must be equal and non-zero)`)
    saved.cells.push({ version, fix: fix.slug, state, text: `${ok ? '✅' : '❌'} fails unpatched ${failedUnpatched}, passes patched ${passedPatched}` })
    return `${ok ? '✅' : '❌'} fails unpatched ${failedUnpatched}, passes patched ${passedPatched}`
  })
  lines.push(`| ${version} | ${cells.join(' | ')} |`)
}

const guardAreas = [...new Set(records.filter(r => r.kind === 'guard').map(r => r.fix))].sort()
if (guardAreas.length) {
  lines.push('', `| Guards (must pass everywhere): plain / patched | ${guardAreas.join(' | ')} |`, `|---|${guardAreas.map(() => '---').join('|')}|`)
  for (const v of versions) {
    const cells = guardAreas.map(area => {
      const plain = count(r => r.kind === 'guard' && r.fix === area && r.version === v && !r.patched)
      const patched = count(r => r.kind === 'guard' && r.fix === area && r.version === v && r.patched)
      return `${plain} / ${patched}`
    })
    lines.push(`| ${v} | ${cells.join(' | ')} |`)
  }
}

saved.finishedAt = new Date().toISOString()
mkdirSync(cacheRoot, { recursive: true })
writeFileSync(join(cacheRoot, 'proof-table.json'), JSON.stringify(saved, null, 2) + '\n')

console.log('\n== proof table\n')
console.log(lines.join('\n'))
if (failedFiles.size) {
  console.log('\nFailing test files:')
  for (const [file, n] of failedFiles) console.log(`  ${n} failed: ${file.replace(repoRoot + '/', '')}`)
}
if (problems.length) {
  console.error(`\n[mcp-sessions] The proof run failed:\n  ${problems.join('\n  ')}`)
  process.exit(1)
}
console.log(`\nproof: ${versions.length} SDK versions, ${records.length} recorded test runs, all proofs hold`)
