/**
 * The @modelcontextprotocol/sdk releases we build patches for. Adding a release
 * here and running `npm run patches:build` is the whole job of supporting it:
 * the builder fails, naming the edit, when a fix no longer applies.
 */
export const ALL_RELEASES: readonly string[] = [
  '1.24.0', '1.24.1', '1.24.2', '1.24.3',
  '1.25.0', '1.25.1', '1.25.2', '1.25.3',
  '1.26.0', '1.27.0', '1.27.1', '1.28.0', '1.29.0',
  '1.30.0', '1.30.1', '1.31.0', '1.32.0', '1.32.1', '1.32.2'
]

/** `MCPS_BUILD_VERSIONS=<list> npm run patches:build -- --out <dir>` tries other releases without touching patches/. */
export const SDK_VERSIONS: readonly string[] = process.env.MCPS_BUILD_VERSIONS?.split(',').filter(Boolean) ?? ALL_RELEASES

export { SDK_PACKAGE } from '@mcp-sessions/patches'
