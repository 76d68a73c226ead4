import { CLIENT_PACKAGE, NODE_PACKAGE, SDK_PACKAGE, SERVER_PACKAGE } from '@mcp-sessions/patches'

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

/** The stable releases of the v2 SDK; `@modelcontextprotocol/client` and `/server` release together. */
export const V2_RELEASES: readonly string[] = ['2.0.0', '2.1.0', '2.2.0', '2.3.0', '2.3.1', '2.4.0']

/** The releases of `@modelcontextprotocol/node` (its own numbering): no patches, its transport is the server package's. */
export const NODE_RELEASES: readonly string[] = ['2.0.0', '2.1.0', '2.1.1', '2.1.2']

/** One package the builder writes patches for: its name, its folder under patches/ and its releases. */
export interface BuildPackage {
  name: string
  /** Folder of its version folders relative to patches/ (the manifest's `dir`). */
  dir: string
  versions: readonly string[]
}

/**
 * `MCPS_BUILD_VERSIONS=<list> npm run patches:build -- --out <dir>` tries other releases without touching
 * patches/: `1.25.0` is a v1 SDK release, `client@2.5.0` or `server@2.5.0` a v2 one. Each package builds
 * only the releases the list names for it.
 */
const wanted = process.env.MCPS_BUILD_VERSIONS?.split(',').map(s => s.trim()).filter(Boolean)
const pick = (short: string, all: readonly string[]) =>
  wanted ? wanted.filter(w => (short ? w.startsWith(`${short}@`) : !w.includes('@'))).map(w => w.slice(short ? short.length + 1 : 0)) : all

/** The v1 releases this build covers. */
export const SDK_VERSIONS: readonly string[] = pick('', ALL_RELEASES)

/** Every package the patch set covers, in the manifest's order. */
export const BUILD_PACKAGES: readonly BuildPackage[] = [
  { name: SDK_PACKAGE, dir: '', versions: SDK_VERSIONS },
  { name: CLIENT_PACKAGE, dir: 'client', versions: pick('client', V2_RELEASES) },
  { name: SERVER_PACKAGE, dir: 'server', versions: pick('server', V2_RELEASES) },
  { name: NODE_PACKAGE, dir: 'node', versions: pick('node', NODE_RELEASES) }
]

export { CLIENT_PACKAGE, NODE_PACKAGE, SDK_PACKAGE, SERVER_PACKAGE } from '@mcp-sessions/patches'
