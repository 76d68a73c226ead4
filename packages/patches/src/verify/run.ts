import { createRequire } from 'node:module'
import { join, relative, sep } from 'node:path'
import { pathToFileURL } from 'node:url'
import { findCopies, type FindOptions, type SdkCopy } from '../copies.js'
import { requireResolve, resolveExport } from '../internal/resolve.js'
import { copiesLoadedBy } from '../loaded-by.js'
import { SDK_PACKAGE, fixStates, type FixState, type Manifest } from '../manifest.js'
import { checks as allChecks } from './checks.js'
import type { Check, CheckContext, ModuleFlavor } from './types.js'

/**
 * - `fixed`: the fix applies to this version and its behaviour holds (esm and cjs).
 * - `not-fixed`: the behaviour is wrong in at least one flavor: the patch is missing or did not apply.
 * - `not-affected`: this version needs no patch for the fix, and the behaviour holds.
 * - `unchecked`: this release of @mcp-sessions/patches has no behavioural check for the fix.
 */
export type VerifyOutcome = 'fixed' | 'not-fixed' | 'not-affected' | 'unchecked'

export interface FixVerification {
  slug: string
  title: string
  /** The manifest's word for this copy's version; `unsupported` for a version (or package) without patches. */
  state: FixState | 'unsupported'
  outcome: VerifyOutcome
  behaviour?: string
  /** Why a flavor failed, e.g. `cjs: after a POST answered 404 ...`. */
  details: string[]
}

/** One copy, exercised as the package that loads it resolves it. */
export interface CopyVerification extends SdkCopy {
  /** The folder the checks resolved the copy from, relative to the app root (`.`: the app). */
  checkedFrom: string
  fixes: FixVerification[]
  /** Supported, and no fix `not-fixed`. */
  ok: boolean
}

export interface VerifyReport {
  root: string
  /** The package `--from` named, when given. */
  from?: string
  copies: CopyVerification[]
  /** At least one copy, and every copy `ok`. */
  ok: boolean
  /** Set when there was nothing to verify. */
  problem?: string
}

export interface VerifyOptions extends FindOptions {
  /** Verify only the copies this package loads, resolved from its folder. */
  from?: string
  /** Time for one check in one flavor; default 10 s. */
  timeoutMs?: number
  checks?: Check[]
}

const flavors: ModuleFlavor[] = ['esm', 'cjs']

const inside = (file: string, dir: string) => file === dir || file.startsWith(dir + sep)

/**
 * Loads `<package>/<subpath>` from `copy`: cjs through Node's own `require`
 * resolution from the loading package's folder (which must land in the copy),
 * esm through the copy's `exports` with the `import` conditions.
 */
function loader(copy: SdkCopy, from: string, flavor: ModuleFlavor): CheckContext['load'] {
  return async subpath => {
    const file = flavor === 'cjs' ? requireResolve(from, copy.package, subpath) : resolveExport(copy.dir, subpath, 'esm')
    const spec = subpath ? `${copy.package}/${subpath}` : copy.package
    if (!file) throw new Error(`${spec} does not resolve from ${from} (${flavor})`)
    if (!inside(file, copy.dir)) throw new Error(`${spec} resolves from ${from} to ${file}, outside the copy at ${copy.dir}`)
    return flavor === 'cjs' ? createRequire(join(from, 'noop.js'))(file) : import(pathToFileURL(file).href)
  }
}

async function runCheck(check: Check, copy: SdkCopy, from: string, flavor: ModuleFlavor, timeoutMs: number): Promise<string | undefined> {
  const controller = new AbortController()
  const timedOut = new Promise<never>((_, reject) => {
    controller.signal.addEventListener('abort', () => reject(controller.signal.reason), { once: true })
  })
  const timer = setTimeout(() => controller.abort(new Error(`the check did not finish within ${timeoutMs} ms`)), timeoutMs)
  try {
    await Promise.race([check.run({ flavor, package: copy.package, version: copy.version, load: loader(copy, from, flavor), signal: controller.signal }), timedOut])
    return undefined
  } catch (error) {
    const failure = error as { code?: string; message?: string }
    return failure?.code === 'MCPS_VERIFY_FAILED' ? `${flavor}: ${failure.message}` : `${flavor}: the check crashed: ${failure?.message ?? String(error)}`
  } finally {
    clearTimeout(timer)
    timedOut.catch(() => {})
    controller.abort()
  }
}

async function verifyCopy(copy: SdkCopy, from: string, root: string, manifest: Manifest, checks: Check[], timeoutMs: number): Promise<CopyVerification> {
  const checkedFrom = relative(root, from) || '.'
  if (copy.kind === 'bundled') return { ...copy, checkedFrom, fixes: [], ok: false }
  const states = copy.coverage === 'supported' ? fixStates(manifest, copy.version, copy.package) : undefined
  const mine = checks.filter(c => (c.package ?? SDK_PACKAGE) === copy.package)
  // A supported copy is checked for the fixes its version lists; any other copy for every fix with a check for its package.
  const fixes: FixVerification[] = []
  for (const fix of manifest.fixes.filter(f => (states ? f.slug in states : mine.some(c => c.slug === f.slug)))) {
    const state = states ? states[fix.slug]! : 'unsupported'
    const check = mine.find(c => c.slug === fix.slug)
    if (!check) {
      fixes.push({ slug: fix.slug, title: fix.title, state, outcome: 'unchecked', details: [] })
      continue
    }
    const details: string[] = []
    for (const flavor of flavors) {
      const failure = await runCheck(check, copy, from, flavor, timeoutMs)
      if (failure) details.push(failure)
    }
    if (details.length && state === 'not-affected') details.push(`patches/manifest.json lists ${copy.package} ${copy.version} as not affected; please report this.`)
    const outcome: VerifyOutcome = details.length ? 'not-fixed' : state === 'not-affected' ? 'not-affected' : 'fixed'
    fixes.push({ slug: fix.slug, title: fix.title, state, outcome, behaviour: check.behaviour, details })
  }
  return { ...copy, checkedFrom, fixes, ok: copy.coverage === 'supported' && fixes.every(f => f.outcome !== 'not-fixed') }
}

/**
 * Exercises every copy of the SDK in the install at `appRoot` in-process, on
 * loopback only, and reports per copy and fix whether the behaviour is there:
 * the check that tells a silently skipped patch, or a copy the patches never
 * reached, from a working one. Each copy is loaded as the package that loads
 * it resolves it, through `import` and `require`. With `from`, only the
 * copies that package loads (directly or through its dependencies).
 *
 * @example
 * const report = await verifyInstall(process.cwd(), { from: 'fastmcp' })
 * if (!report.ok) process.exitCode = 1
 */
export async function verifyInstall(appRoot: string, options: VerifyOptions = {}): Promise<VerifyReport> {
  const install = findCopies(appRoot, options)
  const { patchesDir: dir, manifest } = install
  const targets = options.from
    ? copiesLoadedBy(install, options.from)
    : install.copies.map(copy => ({ copy, from: copy.loadedBy[0] ? join(install.root, copy.loadedBy[0].path) : copy.dir }))
  const copies: CopyVerification[] = []
  for (const { copy, from } of targets) copies.push(await verifyCopy(copy, from, install.root, manifest, options.checks ?? allChecks, options.timeoutMs ?? 10_000))
  const problem =
    copies.length > 0
      ? undefined
      : options.from
        ? `${options.from} loads no copy of @modelcontextprotocol/sdk or the v2 packages: there is nothing to verify from it.`
        : `Failed to find @modelcontextprotocol/sdk (or the v2 packages) in ${join(install.root, 'node_modules')}: there is nothing to verify. Run mcp-sessions-patch verify in your app's root folder.`
  return { root: install.root, from: options.from, copies, ok: copies.length > 0 && copies.every(c => c.ok), problem }
}
