import { createRequire } from 'node:module'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { fixStates, readManifest, supportedVersions, type FixState, type Manifest } from '../manifest.js'
import { findInstalledSdk } from '../sdk.js'
import { checks as allChecks } from './checks.js'
import type { Check, CheckContext, ModuleFlavor } from './types.js'

/**
 * - `fixed`: the fix applies to this SDK version and its behaviour holds (esm and cjs).
 * - `not-fixed`: the behaviour is wrong in at least one flavor: the patch is missing or did not apply.
 * - `not-affected`: this version needs no patch for the fix, and the behaviour holds.
 * - `unchecked`: this release of @mcp-sessions/patches has no behavioural check for the fix.
 */
export type VerifyOutcome = 'fixed' | 'not-fixed' | 'not-affected' | 'unchecked'

export interface FixVerification {
  slug: string
  title: string
  /** The manifest's word for this SDK version; `unsupported` for a version without patches. */
  state: FixState | 'unsupported'
  outcome: VerifyOutcome
  behaviour?: string
  /** Why a flavor failed, e.g. `cjs: after a POST answered 404 ...`. */
  details: string[]
}

export interface VerifyReport {
  version: string
  sdkDir: string
  supported: boolean
  supportedVersions: string[]
  fixes: FixVerification[]
  /** True when the version is supported and no fix is `not-fixed`. */
  ok: boolean
}

export interface VerifyOptions {
  /** Time for one check in one flavor; default 10 s. */
  timeoutMs?: number
  checks?: Check[]
  manifest?: Manifest
}

const flavors: ModuleFlavor[] = ['esm', 'cjs']

function loader(appRoot: string, sdkDir: string, flavor: ModuleFlavor): CheckContext['load'] {
  // The app's own resolution: what `require('@modelcontextprotocol/sdk/...')` gives the app.
  const require = createRequire(join(appRoot, 'package.json'))
  return async subpath =>
    flavor === 'cjs' ? require(`@modelcontextprotocol/sdk/${subpath}`) : import(pathToFileURL(join(sdkDir, 'dist', 'esm', subpath)).href)
}

async function runCheck(check: Check, appRoot: string, sdkDir: string, version: string, flavor: ModuleFlavor, timeoutMs: number): Promise<string | undefined> {
  const controller = new AbortController()
  const timedOut = new Promise<never>((_, reject) => {
    controller.signal.addEventListener('abort', () => reject(controller.signal.reason), { once: true })
  })
  const timer = setTimeout(() => controller.abort(new Error(`the check did not finish within ${timeoutMs} ms`)), timeoutMs)
  try {
    await Promise.race([check.run({ flavor, version, load: loader(appRoot, sdkDir, flavor), signal: controller.signal }), timedOut])
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

/**
 * Exercises the SDK installed in `appRoot` in-process, on loopback only, and
 * reports per fix whether its behaviour is there: the check a user runs to tell
 * a silently skipped patch from a working one. Loads the SDK as the app does
 * (`require` from the app root for cjs, its `dist/esm` for esm) and runs every
 * check in both flavors.
 *
 * @example
 * const report = await verifyInstalledSdk(process.cwd())
 * if (!report.ok) process.exitCode = 1
 */
export async function verifyInstalledSdk(appRoot: string, options: VerifyOptions = {}): Promise<VerifyReport> {
  const manifest = options.manifest ?? readManifest()
  const checks = options.checks ?? allChecks
  const timeoutMs = options.timeoutMs ?? 10_000
  const sdk = findInstalledSdk(appRoot)
  const states = fixStates(manifest, sdk.version)
  const fixes: FixVerification[] = []
  for (const fix of manifest.fixes) {
    const state = states ? (states[fix.slug] ?? 'not-affected') : 'unsupported'
    const check = checks.find(c => c.slug === fix.slug)
    if (!check) {
      fixes.push({ slug: fix.slug, title: fix.title, state, outcome: 'unchecked', details: [] })
      continue
    }
    const details: string[] = []
    for (const flavor of flavors) {
      const failure = await runCheck(check, appRoot, sdk.dir, sdk.version, flavor, timeoutMs)
      if (failure) details.push(failure)
    }
    if (details.length && state === 'not-affected') details.push(`patches/manifest.json lists SDK ${sdk.version} as not affected; please report this.`)
    const outcome: VerifyOutcome = details.length ? 'not-fixed' : state === 'not-affected' ? 'not-affected' : 'fixed'
    fixes.push({ slug: fix.slug, title: fix.title, state, outcome, behaviour: check.behaviour, details })
  }
  const supported = states !== undefined
  return {
    version: sdk.version,
    sdkDir: sdk.dir,
    supported,
    supportedVersions: supportedVersions(manifest),
    fixes,
    ok: supported && fixes.every(f => f.outcome !== 'not-fixed')
  }
}
