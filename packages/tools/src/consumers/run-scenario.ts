import { existsSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { fixStates, type Manifest } from '@mcp-sessions/patches'
import { writeApp } from './app.js'
import { checkLoaded, checkStatus, cliJson, hashDirs, type RowState } from './checks.js'
import type { RunResult } from './exec.js'
import { findInstalled } from './found.js'
import { addDevArgs, packageManager, type PackageManager } from './package-managers.js'
import type { RowResult, Scenario, ScenarioContext, Step } from './scenario.js'

/** The README's setup: add the tarball, run the postinstall once; then drop node_modules, keeping package.json and the lockfile. */
async function readmeSetup(dir: string, pm: PackageManager, tarball: string, step: RowState['step']): Promise<void> {
  const add = await pm.addDev(dir, tarball)
  const first = add.code === 0 ? await pm.run(dir, 'postinstall') : add
  const ok = first.code === 0 && /: (applied|already patched)/.test(first.output)
  step(`README setup: ${pm.name} ${addDevArgs[pm.name].slice(0, 2).join(' ')} <tarball>, then ${pm.name} run postinstall`, ok, add.ms + (first === add ? 0 : first.ms), ok ? undefined : `${add.output}\n${first.output}`.slice(-2000))
  rmSync(join(dir, 'node_modules'), { recursive: true, force: true })
}

/** What the install printed from mcp-sessions-patch; yarn keeps a failed postinstall's output in a build log it names. */
function messages(install: RunResult): string[] {
  const log = /logs can be found here: (\S+)/.exec(install.output)?.[1]
  const text = install.output + (log && existsSync(log) ? `\n${readFileSync(log, 'utf8')}` : '')
  // pnpm prefixes each line of a script's output with `. postinstall: `.
  return text.split('\n').filter(l => /\[mcp-sessions\]|^(?:.* postinstall: )?\s+- /.test(l))
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
  await writeApp(dir, { name: `consumer-${scenario.id}`, pm: scenario.pm, dependencies: scenario.dependencies, fields: scenario.fields, files: scenario.files }, scenario.readmeSetup ? undefined : tarball)
  if (scenario.readmeSetup) await readmeSetup(dir, pm, tarball, step)

  const install = await pm.install(dir)
  const found = existsSync(join(dir, 'node_modules')) ? findInstalled(dir) : []
  const said = messages(install)
  const expected = found.length > 0 && found.every(c => fixStates(manifest, c.version, c.package)) && Object.keys(scenario.bundles ?? {}).length === 0 ? 'green' : 'failed-install'
  const verdict = install.code === 0 ? 'green' : 'failed-install'
  const tail = (r: { output: string }) => r.output.trim().split('\n').slice(-25).join('\n')
  step(`install ${expected === 'green' ? 'passes' : 'fails'}, as the manifest predicts`, verdict === expected, install.ms, verdict === expected ? said.find(l => l.includes(verdict === 'green' ? ': applied' : 'Failed to patch')) : tail(install))

  const row: RowState = { dir, found, expected, said, step }
  const copies = await checkStatus(row, scenario.bundles ?? {})
  const { verified, demos } = await checkLoaded(row, scenario.framework)

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
