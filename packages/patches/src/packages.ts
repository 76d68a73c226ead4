import { CLIENT_PACKAGE, NODE_PACKAGE, SDK_PACKAGE, SERVER_PACKAGE, supportedVersions, type Manifest } from './manifest.js'

/**
 * The packages that carry the MCP SDK's session code: the v1 SDK and the v2
 * split packages (`@modelcontextprotocol/node` imports the server transport
 * from `/server`, but an app can hold a copy of its own). `apply`, `status`
 * and `verify` look for every copy of each; whether a copy is patched is the
 * manifest's word (`manifest.packages[<name>]`), so covering another package
 * is data plus checks, not a change here.
 */
export const SESSION_PACKAGES: readonly string[] = [SDK_PACKAGE, CLIENT_PACKAGE, SERVER_PACKAGE, NODE_PACKAGE]

/**
 * The SDK's own packages (v1 and v2). Their files are the SDK itself, never
 * another package's bundled copy of it, so the bundle scan skips them (v2
 * shares much of its text with v1).
 */
export const SDK_FAMILY: readonly string[] = [...SESSION_PACKAGES, '@modelcontextprotocol/core', '@modelcontextprotocol/express', '@modelcontextprotocol/hono', '@modelcontextprotocol/fastify']

/**
 * Every package name to look for: the built-in list plus whatever the
 * manifest patches.
 *
 * @example
 * watchedPackages(readManifest()) // ['@modelcontextprotocol/sdk', '@modelcontextprotocol/client', …]
 */
export function watchedPackages(manifest: Manifest): string[] {
  return [...new Set([...SESSION_PACKAGES, ...Object.keys(manifest.packages)])]
}

/**
 * Whether this release of the patch set patches `pkg` at all (any version).
 *
 * @example
 * isCovered(readManifest(), '@modelcontextprotocol/client') // false until a release covers v2
 */
export function isCovered(manifest: Manifest, pkg: string): boolean {
  return manifest.packages[pkg] !== undefined
}

/**
 * `1.24.0-1.32.2` style summary of the versions of `pkg` the manifest lists.
 *
 * @example
 * versionRange(readManifest(), '@modelcontextprotocol/sdk') // '1.24.0-1.32.2 (19 releases)'
 */
export function versionRange(manifest: Manifest, pkg: string): string {
  const versions = supportedVersions(manifest, pkg)
  if (versions.length === 0) return 'none'
  if (versions.length === 1) return versions[0]!
  return `${versions[0]}-${versions.at(-1)} (${versions.length} releases)`
}

/**
 * One line naming what this release patches, for messages about what it does not.
 *
 * @example
 * coveredSummary(readManifest()) // '@modelcontextprotocol/sdk 1.24.0-1.32.2 (19 releases)'
 */
export function coveredSummary(manifest: Manifest): string {
  return Object.keys(manifest.packages)
    .map(pkg => `${pkg} ${versionRange(manifest, pkg)}`)
    .join('; ')
}
