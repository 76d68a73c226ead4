import type { Loader, SdkCopy } from './copies.js'
import { SDK_PACKAGE, supportedVersions, type Manifest } from './manifest.js'
import { coveredSummary } from './packages.js'

const newestSdk = (manifest: Manifest) => supportedVersions(manifest, SDK_PACKAGE).at(-1) ?? '1.x'

/** How to pin a transitive package to one version, in each package manager's words. */
export function overrideHint(pkg: string, version: string): string {
  return `package.json "overrides": { "${pkg}": "${version}" } for npm and bun, "resolutions" for yarn, "overrides:" in pnpm-workspace.yaml for pnpm`
}

/**
 * Why a copy cannot be patched, and the way out, in one message; undefined
 * for a copy this release patches. The message names the copy's path, who
 * loads it, the reason, and what to change.
 *
 * @example
 * problemOf(copy, manifest)
 * // '@modelcontextprotocol/sdk 1.23.0 at node_modules/@modelcontextprotocol/sdk (loaded by your app) is not supported …'
 */
export function problemOf(copy: SdkCopy, manifest: Manifest): string | undefined {
  const what = describeCopy(copy)
  switch (copy.coverage) {
    case 'supported':
      return undefined
    case 'unsupported-version': {
      const versions = supportedVersions(manifest, copy.package)
      const newest = versions.at(-1)!
      return (
        `${what} is not supported by this release of @mcp-sessions/patches. Supported versions: ${versions.join(', ')}. ` +
        `Make every copy a supported version (an override pins transitive copies: ${overrideHint(copy.package, newest)}), ` +
        `or upgrade @mcp-sessions/patches to a release that supports ${copy.version}.`
      )
    }
    case 'not-covered': {
      const loaders = copy.loadedBy.filter(l => !l.app).map(l => `${l.name} ${l.version}`)
      const pin = loaders.length ? `pin ${loaders.join(', ')} to a version built on ${SDK_PACKAGE} 1.x (${overrideHint(copy.loadedBy.find(l => !l.app)!.name, '<version>')})` : `use ${SDK_PACKAGE} ${newestSdk(manifest)} instead`
      return (
        `${what} is not covered by this release of @mcp-sessions/patches, which patches ${coveredSummary(manifest)}: its session code would run unpatched. ` +
        `Until a release covers ${copy.package}, ${pin}.`
      )
    }
    case 'bundled': {
      const host = copy.host!
      return (
        `${host.name} ${host.version} at ${copy.path} (${describeLoaders(copy.loadedBy)}) bundles ${copy.package} ${copy.version} into its own files ` +
        `(${host.files.join(', ')}; recognised by content), where no patch can reach it: its session code runs unpatched. ` +
        `Override ${host.name} to a version that depends on ${copy.package} instead of bundling it (\`npm view ${host.name}@<version> dependencies\` lists it; ${overrideHint(host.name, '<version>')}), ` +
        `or ask its maintainers to make the SDK a dependency${host.bugs ? `: ${host.bugs}` : ''}.`
      )
    }
  }
}

/**
 * A one-line name for a copy in messages: package, version, where, who loads it.
 *
 * @example
 * describeCopy(copy) // '@modelcontextprotocol/sdk 1.32.2 at node_modules/fastmcp/node_modules/@modelcontextprotocol/sdk (loaded by fastmcp 4.20.16)'
 */
export function describeCopy(copy: SdkCopy): string {
  const where = copy.kind === 'bundled' ? `bundled in ${copy.host!.name} ${copy.host!.version} at ${copy.path}` : `at ${copy.path}`
  return `${copy.package} ${copy.version} ${where} (${describeLoaders(copy.loadedBy)})`
}

export function describeLoaders(loaders: Loader[]): string {
  if (loaders.length === 0) return 'no installed package declares it'
  const names = loaders.map(l => (l.app ? 'your app' : `${l.name} ${l.version}`))
  return `loaded by ${names.length > 3 ? `${names.slice(0, 3).join(', ')} and ${names.length - 3} more` : names.join(', ')}`
}
