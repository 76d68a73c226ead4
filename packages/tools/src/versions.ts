/**
 * The @modelcontextprotocol/sdk releases we build patches for. Adding a release
 * here and running `npm run patches:build` is the whole job of supporting it:
 * the builder fails, naming the edit, when a fix no longer applies.
 */
export const SDK_VERSIONS = ['1.24.3', '1.27.1', '1.32.2'] as const

export const SDK_PACKAGE = '@modelcontextprotocol/sdk'
