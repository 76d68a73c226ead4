import { createHash } from 'node:crypto'
import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import type { StatusReport, VerifyReport } from '@mcp-sessions/patches'
import { demoPackages, runDemo } from './demo.js'
import { exec, pmEnv } from './exec.js'
import type { FoundCopy } from './found.js'
import type { RowResult } from './scenario.js'

/** What a row's checks share: the app, what a plain walk found, what the manifest predicts, what the install said. */
export interface RowState {
  dir: string
  found: FoundCopy[]
  expected: RowResult['expected']
  said: string[]
  step(name: string, ok: boolean, ms: number, detail?: string): boolean
}

/** The advice each kind of unpatchable copy must come with. */
const wayOut: Record<string, (copy: RowResult['copies'][number]) => string> = {
  'unsupported-version': () => 'Make every copy a supported version',
  'not-covered': copy => `Until a release covers ${copy.package}`,
  bundled: copy => `Override ${copy.path.split('node_modules/').pop()} to a version that depends on`
}

/** A hash of the files of some folders of the app: "nothing changed" made checkable. */
export function hashDirs(root: string, paths: string[]): string {
  const h = createHash('sha256')
  for (const path of paths) {
    const entries = readdirSync(join(root, path), { withFileTypes: true, recursive: true }).sort((a, b) => `${a.parentPath}/${a.name}`.localeCompare(`${b.parentPath}/${b.name}`))
    for (const entry of entries) if (entry.isFile()) h.update(entry.name).update(readFileSync(join(entry.parentPath, entry.name)))
  }
  return h.digest('hex')
}

/** Runs the app's installed `mcp-sessions-patch <args> --json`. */
export async function cliJson<T>(dir: string, args: string[]): Promise<{ code: number; json?: T; output: string; ms: number }> {
  const bin = join(dir, 'node_modules', '@mcp-sessions', 'patches', 'bin', 'mcp-sessions-patch.js')
  const r = await exec(process.execPath, [bin, ...args, '--json'], dir, pmEnv(), 120_000)
  try {
    return { code: r.code, json: JSON.parse(r.output.slice(r.output.indexOf('{'), r.output.lastIndexOf('}') + 1)) as T, output: r.output, ms: r.ms }
  } catch {
    return { code: r.code, output: r.output, ms: r.ms }
  }
}

/**
 * `status --json` must list the copies a plain walk finds (and the bundles
 * the scenario knows of), every supported copy patched; after a failed
 * install, the install's message must name each other copy and its way out.
 */
export async function checkStatus(row: RowState, bundles: Record<string, string>): Promise<RowResult['copies']> {
  const status = await cliJson<StatusReport>(row.dir, ['status'])
  const copies = (status.json?.copies ?? []).map(c => ({ kind: c.kind, package: c.package, version: c.version, path: c.path, coverage: c.coverage, ok: c.ok, loadedBy: c.loadedBy.map(l => (l.app ? '(app)' : `${l.name}@${l.version}`)) }))
  const listed = JSON.stringify(copies.filter(c => c.kind === 'package').map(c => [c.package, c.version, c.path]).sort())
  const plain = JSON.stringify(row.found.map(c => [c.package, c.version, c.path]).sort())
  const bundledOk = Object.entries(bundles).every(([host, version]) => copies.some(c => c.kind === 'bundled' && c.path.endsWith(`node_modules/${host}`) && c.version.split(' or ').includes(version)))
  const shown = copies.map(c => `${c.package} ${c.version} ${c.kind === 'bundled' ? 'bundled in ' : ''}${c.path}: ${c.ok ? 'patched' : c.coverage}`).join('; ')
  row.step('status lists every copy a plain walk finds, and the known bundles', !!status.json && listed === plain && bundledOk, status.ms, `${shown}${listed === plain ? '' : ` | plain walk: ${plain}`}`)
  row.step('every copy this release supports is patched', copies.filter(c => c.coverage === 'supported').every(c => c.ok), 0)
  if (row.expected === 'failed-install') {
    const text = row.said.join('\n')
    const missing = copies.filter(c => c.coverage !== 'supported' && !(text.includes(c.path) && text.includes(wayOut[c.coverage]!(c))))
    row.step('the failed install names each copy it cannot patch, and the way out', missing.length === 0 && copies.some(c => c.coverage !== 'supported'), 0, missing.length ? `not named: ${missing.map(c => c.path).join(', ')}\n${text}` : undefined)
  }
  return copies
}

/**
 * `verify --json [--from <framework>]` must exit as the manifest predicts, and
 * each client copy the framework loads must behave as verify says: the 404
 * demo, run from the folder of the package that loads it (esm and cjs), clears
 * the session id for a patched copy and keeps it for an unpatched one.
 */
export async function checkLoaded(row: RowState, framework: string | undefined): Promise<Pick<RowResult, 'verified' | 'demos'>> {
  const verify = await cliJson<VerifyReport>(row.dir, ['verify', ...(framework ? ['--from', framework] : [])])
  const verified = (verify.json?.copies ?? []).map(c => ({ package: c.package, version: c.version, path: c.path, coverage: c.coverage, checkedFrom: c.checkedFrom, ok: c.ok, outcomes: Object.fromEntries(c.fixes.map(f => [f.slug, f.outcome])) }))
  const shown = verified.map(c => `${c.package} ${c.version} from ${c.checkedFrom}: ${c.ok ? 'ok' : c.coverage === 'supported' ? Object.entries(c.outcomes).filter(([, o]) => o === 'not-fixed').map(([s]) => s).join(', ') : c.coverage}`)
  row.step(`verify${framework ? ` --from ${framework}` : ''} exits ${row.expected === 'green' ? 0 : 1}`, !!verify.json && (verify.code === 0) === (row.expected === 'green') && verified.length > 0, verify.ms, shown.join('; '))

  const demos: RowResult['demos'] = []
  const started = Date.now()
  const demoable = (verify.json?.copies ?? []).filter(c => c.kind === 'package' && demoPackages.includes(c.package))
  for (const copy of demoable) {
    for (const flavor of ['esm', 'cjs'] as const) demos.push({ ...(await runDemo(join(row.dir, copy.checkedFrom), copy.package, flavor)), package: copy.package, from: copy.checkedFrom, copy: copy.path })
  }
  if (demoable.length) {
    const ok = demos.every(d => d.resolved.startsWith(join(row.dir, d.copy) + '/') && d.cleared === (verified.find(v => v.path === d.copy)?.coverage === 'supported'))
    const detail = demos.map(d => `${d.package} from ${d.from} (${d.flavor}): ${d.cleared ? 'cleared' : 'kept'}${d.resolved ? '' : ` (${d.output})`}`).join('; ')
    row.step('404 demo from the loading package’s folder: patched copies clear the session id, unpatched keep it (esm, cjs)', ok, Date.now() - started, detail)
  }
  return { verified, demos }
}
