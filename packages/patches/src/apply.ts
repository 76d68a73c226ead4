import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, relative } from 'node:path'
import { detachHardLinks } from './detach.js'
import { PatchError } from './errors.js'
import { filesInPatch, fixStates, patchFiles, patchesDir, readManifest, supportedVersions, versionDir as folderOf } from './manifest.js'
import { findInstalledSdk } from './sdk.js'
import { patchStatus, type StatusReport } from './status.js'

export interface ApplyResult {
  version: string
  /** `applied`: patch-package ran; `already-applied`: every fix was present, nothing changed. */
  outcome: 'applied' | 'already-applied'
  report: StatusReport
}

function patchPackageBin(): string {
  const require = createRequire(import.meta.url)
  return join(dirname(require.resolve('patch-package/package.json')), 'index.js')
}

const incomplete = (r: StatusReport) => r.fixes.filter(f => f.presence === 'missing' || f.presence === 'partial')

/**
 * Applies the patch set for the SDK installed in `appRoot` with patch-package
 * (`--error-on-fail`). Idempotent: when every fix is already present it changes
 * nothing. Throws a `PatchError` for an unsupported SDK version or a patch that
 * did not apply, so a `postinstall` never passes silently.
 *
 * @example
 * // package.json of an app: "postinstall": "mcp-sessions-patch apply"
 * applyPatches(process.cwd())
 */
export function applyPatches(appRoot: string, options: { quiet?: boolean } = {}): ApplyResult {
  const dir = patchesDir()
  const manifest = readManifest(dir)
  const sdk = findInstalledSdk(appRoot)
  if (!fixStates(manifest, sdk.version)) {
    throw new PatchError(
      'MCPS_SDK_UNSUPPORTED',
      `@modelcontextprotocol/sdk ${sdk.version} is not supported by this release of @mcp-sessions/patches. ` +
        `Supported versions: ${supportedVersions(manifest).join(', ')}. Install one of them (npm install @modelcontextprotocol/sdk@<version>) or upgrade @mcp-sessions/patches.`
    )
  }
  const before = patchStatus(appRoot, manifest, dir)
  if (incomplete(before).length === 0) return { version: sdk.version, outcome: 'already-applied', report: before }

  const versionDir = folderOf(sdk.version, dir, undefined, manifest)
  if (!existsSync(versionDir)) {
    throw new PatchError('MCPS_PATCHES_MISSING', `Failed to find ${versionDir}. Reinstall @mcp-sessions/patches.`)
  }
  // pnpm and bun link package files to a shared store; patch our own copies, never the store.
  detachHardLinks(sdk.dir, patchFiles(sdk.version, dir).flatMap(p => filesInPatch(p)))
  const result = spawnSync(process.execPath, [patchPackageBin(), '--patch-dir', relative(appRoot, versionDir), '--error-on-fail'], {
    cwd: appRoot,
    stdio: options.quiet ? 'pipe' : 'inherit',
    encoding: 'utf8'
  })
  if (result.status !== 0) {
    const output = options.quiet ? `\n${result.stdout ?? ''}${result.stderr ?? ''}` : ''
    throw new PatchError(
      'MCPS_PATCH_FAILED',
      `Failed to apply the patches in ${versionDir} (patch-package exited ${result.status}).${output}\n` +
        'If node_modules was patched by an older release of @mcp-sessions/patches, reinstall the SDK (rm -rf node_modules/@modelcontextprotocol/sdk && npm install) and run mcp-sessions-patch apply again.'
    )
  }
  const after = patchStatus(appRoot, manifest, dir)
  const missing = incomplete(after)
  if (missing.length) {
    throw new PatchError(
      'MCPS_PATCH_INCOMPLETE',
      `patch-package reported success, but these fixes are not in the installed SDK: ${missing.map(f => `${f.slug} (${f.missingIn.join(', ')})`).join('; ')}. Run mcp-sessions-patch status for details.`
    )
  }
  return { version: sdk.version, outcome: 'applied', report: after }
}
