/** Error codes the CLI and the API use; check `code`, not `instanceof`. */
export type PatchErrorCode =
  | 'MCPS_SDK_NOT_INSTALLED'
  | 'MCPS_SDK_UNSUPPORTED'
  | 'MCPS_SDK_BUNDLED'
  | 'MCPS_PACKAGE_NOT_COVERED'
  | 'MCPS_COPIES_UNPATCHED'
  | 'MCPS_PATCH_FAILED'
  | 'MCPS_PATCH_INCOMPLETE'
  | 'MCPS_PATCHES_MISSING'
  | 'MCPS_WALK_LIMIT'
  | 'MCPS_FROM_NOT_FOUND'

export class PatchError extends Error {
  readonly code: PatchErrorCode
  /** What was done before the failure, for callers that report it (e.g. `applyPatches`' per-copy outcomes). */
  readonly details?: Record<string, unknown>
  constructor(code: PatchErrorCode, message: string, details?: Record<string, unknown>) {
    super(`[mcp-sessions] ${message}`)
    this.name = 'PatchError'
    this.code = code
    this.details = details
  }
}
