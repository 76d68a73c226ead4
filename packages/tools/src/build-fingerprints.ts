/**
 * Builds `patches/fingerprints.json`: the string literals of every `dist/esm`
 * module of each SDK release the manifest supports, read from the pristine
 * tarballs (sdk-cache.ts). `mcp-sessions-patch` compares other packages' files
 * with them to find an SDK bundled into another package, and its release.
 *
 *   npm run fingerprints:build              write patches/fingerprints.json
 *   npm run fingerprints:build -- --check   fail when the committed file differs from a fresh build
 *
 * The v2 packages join by adding their name and a pristine-folder function to
 * `sources` below, once the manifest lists them.
 */
import { readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { buildPackageFingerprints, filesInPatch, patchFiles, readManifest, supportedVersions, type Fingerprints } from '@mcp-sessions/patches'
import { patchesRoot } from './paths.js'
import { pristineSdk } from './sdk-cache.js'
import { SDK_PACKAGE } from './versions.js'

/** Per fingerprinted package: where its pristine release lives, and the folder of its esm modules in there. */
const sources: Record<string, { pristine: (version: string) => string; esm: string }> = {
  [SDK_PACKAGE]: { pristine: pristineSdk, esm: join('dist', 'esm') }
}

/** The esm modules of a release; the examples ship in the tarball but no app bundles them. */
function esmModules(dir: string): string[] {
  return (readdirSync(dir, { recursive: true }) as string[]).filter(f => f.endsWith('.js') && !f.startsWith('examples')).sort()
}

export function buildFingerprints(): Fingerprints {
  const manifest = readManifest(patchesRoot)
  const packages: Fingerprints['packages'] = {}
  for (const [pkg, source] of Object.entries(sources)) {
    const versions = supportedVersions(manifest, pkg)
    const esmDirs = Object.fromEntries(versions.map(v => [v, join(source.pristine(v), source.esm)]))
    const prefix = `${source.esm}/`
    const patched = [...new Set(versions.flatMap(v => patchFiles(v, patchesRoot, pkg).flatMap(p => filesInPatch(p, pkg))))]
      .filter(f => f.startsWith(prefix) && f.endsWith('.js'))
      .map(f => f.slice(prefix.length))
      .sort()
    packages[pkg] = buildPackageFingerprints(esmDirs, v => esmModules(esmDirs[v]!), patched)
  }
  return { schema: 1, packages }
}

function main(): void {
  const path = join(patchesRoot, 'fingerprints.json')
  // Readable diffs: one token per line, one module variant per line.
  const text = JSON.stringify(buildFingerprints(), null, 2).replace(/\[[\d,\s[\]]*\]/g, numbers => numbers.replace(/\s+/g, '')) + '\n'
  if (process.argv.includes('--check')) {
    if (readFileSync(path, 'utf8') !== text) {
      console.error('[mcp-sessions] patches/fingerprints.json is not what the builder produces. Run `npm run fingerprints:build` and commit the result.')
      process.exit(1)
    }
    console.log('patches/fingerprints.json is up to date')
    return
  }
  writeFileSync(path, text)
  console.log(`wrote ${path} (${(text.length / 1024).toFixed(0)} KiB)`)
}

if (import.meta.url === `file://${process.argv[1]}`) main()
