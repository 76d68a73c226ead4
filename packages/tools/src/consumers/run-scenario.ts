import { createHash } from 'node:crypto'
import { existsSync, readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { fixStates, type Manifest, type StatusReport, type VerifyReport } from '@mcp-sessions/patches'
import { writeApp } from './app.js'
import { demoPackages, runDemo } from './demo.js'
import { exec, pmEnv, type RunResult } from './exec.js'
import { findInstalled } from './found.js'
import { packageManager } from './package-managers.js'
import type { RowResult, Scenario, ScenarioContext, Step } from './scenario.js'

/** The advice each kind of unpatchable copy must come with. */
const wayOut: Record<string, (copy: RowResult['copies'][number]) => string> = {
  'unsupported-version': () => 'Make every copy a supported version',
  'not-covered': copy => `Until a release covers ${copy.package}`,
  bundled: copy => `Override ${copy.path.split('node_modules/').pop()} to a version that depends on`
}

/** What the install printed from mcp-sessions-patch; yarn keeps a failed postinstall's output in a build log it names. */
function messages(install: RunResult): string[] {
  const log = /logs can be found here: (\S+)/.exec(install.output)?.[1]
  const text = install.output + (log && existsSync(log) ? `\n${readFileSync(log, 'utf8')}` : '')
  // pnpm prefixes each line of a script's output with `. postinstall: `.
  return text.split('\n').filter(l => /\[mcp-sessions\]|^(?:.* postinstall: )?\s+- /.test(l))
}

function hashDirs(root: string, paths: string[]): string {
  const h = createHash('sha256')
  for (const path of paths) {
    for (const entry of readdirSync(join(root, path), { withFileTypes: true, recursive: true }).sort((a, b) => `${a.parentPath}/${a.name}`.localeCompare(`${b.parentPath}/${b.name}`))) {
      if (entry.isFile()) h.update(entry.name).update(readFileSync(join(entry.parentPath, entry.name)))
    }
  }
  return h.digest('hex')
}

async function cliJson<T>(dir: string, args: string[]): Promise<{ code: number; json?: T; output: string; ms: number }> {
  const bin = join(dir, 'node_modules', '@mcp-sessions', 'patches', 'bin', 'mcp-sessions-patch.js')
  const r = await exec(process.execPath, [bin, ...args, '--json'], dir, pmEnv(), 120_000)
  const start = r.output.indexOf('{')
  try {
    return { code: r.code, json: JSON.parse(r.output.slice(start, r.output.lastIndexOf('}') + 1)) as T, output: r.output, ms: r.ms }
  } catch {
    return { code: r.code, output: r.output, ms: r.ms }
  }
}

/**
 * Installs one consumer app and checks what its user sees against what the
 * manifest predicts: the install passes exactly when every copy of the SDK it
 * holds is one this release patches; a failed install names each copy it
 * cannot patch and the way out; status finds the same copies as a plain walk;
 * and the copies the framework loads behave as their status says, shown by a
 * 404 demo run from the folder of the package that loads each (esm and cjs).
 * No row may be green while unpatched code runs.
 */
export async function runScenario(scenario: Scenario, root: string, tarball: string, manifest: Manifest): Promise<RowResult> {
  const started = Date.now()
  const dir = join(root, scenario.id)
  const pm = packageManager(scenario.pm)
  const steps: Step[] = []
  const step = (name: string, ok: boolean, ms: number, detail?: string) => (steps.push({ name, ok, ms, detail }), ok)
  await writeApp(dir, { name: `consumer-${scenario.id}`, pm: scenario.pm, dependencies: scenario.dependencies, fields: scenario.fields, files: scenario.files }, tarball)

  const install = await pm.install(dir)
  const found = existsSync(join(dir, 'node_modules')) ? findInstalled(dir) : []
  const said = messages(install)
  const bundles = Object.entries(scenario.bundles ?? {})
  const expected = found.length > 0 && found.every(c => fixStates(manifest, c.version, c.package)) && bundles.length === 0 ? 'green' : 'failed-install'
  const verdict = install.code === 0 ? 'green' : 'failed-install'
  const tail = (r: { output: string }) => r.output.trim().split('\n').slice(-25).join('\n')
  step(`install ${expected === 'green' ? 'passes' : 'fails'}, as the manifest predicts`, verdict === expected, install.ms, verdict === expected ? said.find(l => l.includes(verdict === 'green' ? ': applied' : 'Failed to patch')) : tail(install))

  const status = await cliJson<StatusReport>(dir, ['status'])
  const copies = (status.json?.copies ?? []).map(c => ({ kind: c.kind, package: c.package, version: c.version, path: c.path, coverage: c.coverage, ok: c.ok, loadedBy: c.loadedBy.map(l => (l.app ? '(app)' : `${l.name}@${l.version}`)) }))
  const listed = JSON.stringify(copies.filter(c => c.kind === 'package').map(c => [c.package, c.version, c.path]).sort())
  const plain = JSON.stringify(found.map(c => [c.package, c.version, c.path]).sort())
  const bundledOk = bundles.every(([host, version]) => copies.some(c => c.kind === 'bundled' && c.path.endsWith(`node_modules/${host}`) && c.version.split(' or ').includes(version)))
  step('status lists every copy a plain walk finds, and the known bundles', !!status.json && listed === plain && bundledOk, status.ms, `${copies.map(c => `${c.package} ${c.version} ${c.kind === 'bundled' ? 'bundled in ' : ''}${c.path}: ${c.ok ? 'patched' : c.coverage}`).join('; ')}${listed === plain ? '' : ` | plain walk: ${plain}`}`)
  step('every copy this release supports is patched', copies.filter(c => c.coverage === 'supported').every(c => c.ok), 0)
  if (expected === 'failed-install') {
    const text = said.join('\n')
    const missing = copies.filter(c => c.coverage !== 'supported' && !(text.includes(c.path) && text.includes(wayOut[c.coverage]!(c))))
    step('the failed install names each copy it cannot patch, and the way out', missing.length === 0 && copies.some(c => c.coverage !== 'supported'), 0, missing.length ? `not named: ${missing.map(c => c.path).join(', ')}\n${text}` : undefined)
  }

  const verify = await cliJson<VerifyReport>(dir, ['verify', ...(scenario.framework ? ['--from', scenario.framework] : [])])
  const verified = (verify.json?.copies ?? []).map(c => ({ package: c.package, version: c.version, path: c.path, coverage: c.coverage, checkedFrom: c.checkedFrom, ok: c.ok, outcomes: Object.fromEntries(c.fixes.map(f => [f.slug, f.outcome])) }))
  step(`verify${scenario.framework ? ` --from ${scenario.framework}` : ''} exits ${expected === 'green' ? 0 : 1}`, !!verify.json && (verify.code === 0) === (expected === 'green') && verified.length > 0, verify.ms, verified.map(c => `${c.package} ${c.version} from ${c.checkedFrom}: ${c.ok ? 'ok' : c.coverage === 'supported' ? Object.entries(c.outcomes).filter(([, o]) => o === 'not-fixed').map(([s]) => s).join(', ') : c.coverage}`).join('; '))

  const demos: RowResult['demos'] = []
  const demoStarted = Date.now()
  const demoable = (verify.json?.copies ?? []).filter(c => c.kind === 'package' && demoPackages.includes(c.package))
  for (const copy of demoable) {
    for (const flavor of ['esm', 'cjs'] as const) demos.push({ ...(await runDemo(join(dir, copy.checkedFrom), copy.package, flavor)), package: copy.package, from: copy.checkedFrom, copy: copy.path })
  }
  if (demoable.length) {
    const demoOk = demos.every(d => d.resolved.startsWith(join(dir, d.copy) + '/') && d.cleared === (verified.find(v => v.path === d.copy)?.coverage === 'supported'))
    step('404 demo from the loading package’s folder: patched copies clear the session id, unpatched keep it (esm, cjs)', demoOk, Date.now() - demoStarted, demos.map(d => `${d.package} from ${d.from} (${d.flavor}): ${d.cleared ? 'cleared' : 'kept'}${d.resolved ? '' : ` (${d.output})`}`).join('; '))
  }

  const unpatchedRuns = copies.some(c => !c.ok) || verified.some(c => !c.ok) || demos.some(d => !d.cleared)
  step('no green row while unpatched code runs', !(verdict === 'green' && unpatchedRuns), 0)

  const before = hashDirs(dir, found.map(c => c.path))
  const again = await cliJson<unknown>(dir, ['apply'])
  step('apply again changes nothing', (again.code === 0) === (expected === 'green') && hashDirs(dir, found.map(c => c.path)) === before, again.ms)

  if (scenario.extra) {
    const ctx: ScenarioContext = { dir, sibling: name => join(root, `${scenario.id}--${name}`), tarball, pm, install, found, step }
    await scenario.extra(ctx)
  }
  return { id: scenario.id, row: scenario.row, pm: await pm.version(), framework: scenario.framework, expected, verdict, install: { code: install.code, ms: install.ms, messages: said }, found, copies, verified, demos, steps, ok: steps.every(s => s.ok), ms: Date.now() - started }
}
