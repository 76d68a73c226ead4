import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join, relative } from 'node:path'
import { findCopies, type FindOptions, type SdkCopy } from './copies.js'
import { detachHardLinks } from './detach.js'
import { PatchError, type PatchErrorCode } from './errors.js'
import { filesInPatch, patchFiles, versionDir, type Manifest } from './manifest.js'
import { describeCopy } from './problems.js'
import { copyStatus, type CopyStatus } from './status.js'

export interface CopyOutcome {
  copy: CopyStatus
  /** `applied`: patch-package ran; `already-applied`: every fix was there, nothing changed; `failed`: see `problem`. */
  outcome: 'applied' | 'already-applied' | 'failed'
  code?: PatchErrorCode
  problem?: string
}

export interface ApplyResult {
  root: string
  copies: CopyOutcome[]
}

export interface ApplyOptions extends FindOptions {
  /** Capture patch-package's output instead of passing it through (it is added to failure messages). */
  quiet?: boolean
}

function patchPackageBin(): string {
  const require = createRequire(import.meta.url)
  return join(dirname(require.resolve('patch-package/package.json')), 'index.js')
}

const incomplete = (c: CopyStatus) => c.fixes.filter(f => f.presence === 'missing' || f.presence === 'partial')

const coverageCodes: Record<SdkCopy['coverage'], PatchErrorCode> = {
  supported: 'MCPS_PATCH_FAILED',
  'unsupported-version': 'MCPS_SDK_UNSUPPORTED',
  'not-covered': 'MCPS_PACKAGE_NOT_COVERED',
  bundled: 'MCPS_SDK_BUNDLED'
}

/**
 * Runs patch-package on one copy.
 *
 * @note Why a staging root per copy, not patch-package's nested names
 * (`fastmcp++@modelcontextprotocol+sdk+….patch`): those only express npm's
 * nesting, not pnpm's virtual store (`.pnpm/<name>@<version>_<peers>/…`, one
 * copy per peer set) or bun's isolated one, and would mean rewriting the
 * shipped patch files per install. A throw-away folder whose
 * `node_modules/<package>` is a symlink to the copy gives patch-package the
 * one layout it understands for every copy, with the patch files exactly as
 * shipped (their DEP-3 headers, and the hashes patch-package records).
 */
function runPatchPackage(copy: SdkCopy, folder: string, quiet: boolean): { status: number | null; output: string } {
  const stage = mkdtempSync(join(tmpdir(), 'mcps-apply-'))
  try {
    writeFileSync(join(stage, 'package.json'), '{ "name": "mcps-apply-stage", "private": true }\n')
    const link = join(stage, 'node_modules', copy.package)
    mkdirSync(dirname(link), { recursive: true })
    symlinkSync(copy.dir, link, process.platform === 'win32' ? 'junction' : 'dir')
    const result = spawnSync(process.execPath, [patchPackageBin(), '--patch-dir', relative(stage, folder), '--error-on-fail'], { cwd: stage, stdio: quiet ? 'pipe' : 'inherit', encoding: 'utf8' })
    return { status: result.status, output: quiet ? `${result.stdout ?? ''}${result.stderr ?? ''}` : '' }
  } finally {
    rmSync(stage, { recursive: true, force: true })
  }
}

/** Brings one supported copy to fully patched; returns what happened. */
function patchCopy(copy: SdkCopy, manifest: Manifest, dir: string, quiet: boolean): CopyOutcome {
  const before = copyStatus(copy, manifest, dir)
  if (incomplete(before).length === 0) return { copy: before, outcome: 'already-applied' }
  const folder = versionDir(copy.version, dir, copy.package, manifest)
  if (!existsSync(folder)) return { copy: before, outcome: 'failed', code: 'MCPS_PATCHES_MISSING', problem: `Failed to find ${folder} for ${describeCopy(copy)}. Reinstall @mcp-sessions/patches.` }
  // pnpm and bun link package files to a machine-wide store; patch this copy's own files, never the store.
  detachHardLinks(copy.dir, patchFiles(copy.version, dir, copy.package).flatMap(p => filesInPatch(p, copy.package)))
  if (!quiet) console.log(`[mcp-sessions] patching ${describeCopy(copy)}`)
  const run = runPatchPackage(copy, folder, quiet)
  if (run.status !== 0) {
    const problem =
      `Failed to apply the patches in ${folder} to ${describeCopy(copy)} (patch-package exited ${run.status}).${run.output ? `\n${run.output}` : ''}\n` +
      `If it was patched by an older release of @mcp-sessions/patches, reinstall it (remove ${copy.path} and install again) and run mcp-sessions-patch apply again.`
    return { copy: copyStatus(copy, manifest, dir), outcome: 'failed', code: 'MCPS_PATCH_FAILED', problem }
  }
  const after = copyStatus(copy, manifest, dir)
  const missing = incomplete(after)
  if (missing.length === 0) return { copy: after, outcome: 'applied' }
  const problem = `patch-package reported success, but these fixes are not in ${describeCopy(copy)}: ${missing.map(f => `${f.slug} (${f.missingIn.join(', ')})`).join('; ')}. Run mcp-sessions-patch status for details.`
  return { copy: after, outcome: 'failed', code: 'MCPS_PATCH_INCOMPLETE', problem }
}

/**
 * Patches every copy of the SDK the install at `appRoot` holds (see
 * `findCopies`), each with its own version's set, through patch-package
 * (`--error-on-fail`). Idempotent: a copy that carries every fix is left as
 * it is. Throws a `PatchError` when any copy cannot be patched (an
 * unsupported version, a package this release does not cover, an SDK bundled
 * into another package's files, a patch that did not apply), after patching
 * the others; its message names each such copy, the reason, and what to do,
 * so a `postinstall` never passes while unpatched session code is installed.
 *
 * @example
 * // package.json of an app: "postinstall": "mcp-sessions-patch apply"
 * applyPatches(process.cwd())
 */
export function applyPatches(appRoot: string, options: ApplyOptions = {}): ApplyResult {
  const install = findCopies(appRoot, options)
  const { patchesDir: dir, manifest } = install
  if (install.copies.length === 0) {
    throw new PatchError(
      'MCPS_SDK_NOT_INSTALLED',
      `Failed to find @modelcontextprotocol/sdk (or the v2 packages @modelcontextprotocol/client, /server, /node) in ${join(install.root, 'node_modules')}, installed or bundled into another package: there is nothing to patch. ` +
        `Run mcp-sessions-patch in your app's root folder, after the SDK is installed.`
    )
  }
  const copies = install.copies.map((copy): CopyOutcome => {
    if (copy.coverage === 'supported') return patchCopy(copy, manifest, dir, options.quiet ?? false)
    return { copy: copyStatus(copy, manifest, dir), outcome: 'failed', code: coverageCodes[copy.coverage], problem: copy.problem }
  })
  const result: ApplyResult = { root: install.root, copies }
  const failed = copies.filter(c => c.outcome === 'failed')
  if (failed.length) {
    const patched = copies.filter(c => c.outcome !== 'failed').map(c => `${c.copy.package} ${c.copy.version} at ${c.copy.path}`)
    throw new PatchError(
      failed.length === 1 ? failed[0]!.code! : 'MCPS_COPIES_UNPATCHED',
      `Failed to patch ${failed.length} of ${copies.length} copies of the MCP SDK in ${install.root}:\n${failed.map(f => `  - ${f.problem}`).join('\n')}\n` +
        (patched.length ? `Patched: ${patched.join('; ')}.\n` : '') +
        'Run mcp-sessions-patch status to see every copy.',
      { result }
    )
  }
  return result
}
