/** Error codes the CLI and the API use; check `code`, not `instanceof`. */
export type PatchErrorCode =
  | 'MCPS_SDK_NOT_INSTALLED'
  | 'MCPS_SDK_UNSUPPORTED'
  | 'MCPS_PATCH_FAILED'
  | 'MCPS_PATCH_INCOMPLETE'
  | 'MCPS_PATCHES_MISSING'

export class PatchError extends Error {
  readonly code: PatchErrorCode
  constructor(code: PatchErrorCode, message: string) {
    super(`[mcp-sessions] ${message}`)
    this.name = 'PatchError'
    this.code = code
  }
}
