/**
 * Builds `patches/fingerprints.json`: the string literals of every module of
 * each release the manifest supports, read from the pristine tarballs
 * (sdk-cache.ts), stored as hashes. `mcp-sessions-patch` compares other
 * packages' files with them to find an SDK bundled into another package, and
 * its release.
 *
 *   npm run fingerprints:build              write patches/fingerprints.json
 *   npm run fingerprints:build -- --check   fail when the committed file differs from a fresh build
 *
 * A module is a `dist/esm` file of the v1 SDK, and a source module of a v2
 * package: tsdown puts several of those into each bundle, between
 * `//#region <source path>` and `//#endregion`, in chunks whose names change
 * every release, so the region's source path is the stable name.
 */
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { buildPackageFingerprints, filesInPatch, patchFiles, readManifest, supportedVersions, type Fingerprints } from '@mcp-sessions/patches'
import { applyFixOn } from './build-patches.js'
import { fixes } from './fixes/index.js'
import { patchesRoot } from './paths.js'
import { pristinePackage, pristineSdk } from './sdk-cache.js'
import { CLIENT_PACKAGE, SDK_PACKAGE, SERVER_PACKAGE } from './versions.js'

/** One release's modules as the fingerprints name them: the folder to read them from, and which the patches change. */
interface ReleaseModules {
  dir: string
  files: string[]
  patched: string[]
}

/** How to list one package's modules per release; `scratch` is a folder the source may write into. */
type Source = (version: string, scratch: string) => ReleaseModules

/** The esm modules of a v1 release; the examples ship in the tarball but no app bundles them. */
function esmModules(dir: string): string[] {
  return (readdirSync(dir, { recursive: true }) as string[]).filter(f => f.endsWith('.js') && !f.startsWith('examples')).sort()
}

/** The v1 SDK: its `dist/esm` modules, the patched ones read from the committed patches. */
const v1Source: Source = version => {
  const dir = join(pristineSdk(version), 'dist', 'esm')
  const prefix = 'dist/esm/'
  const patched = patchFiles(version, patchesRoot, SDK_PACKAGE)
    .flatMap(p => filesInPatch(p, SDK_PACKAGE))
    .filter(f => f.startsWith(prefix) && f.endsWith('.js'))
    .map(f => f.slice(prefix.length))
  return { dir, files: esmModules(dir), patched }
}

/**
 * Regions of the package's own `src/`, where its session code is. Not the
 * shared `../core-internal/src/` (the same code in the client and the server,
 * so it tells neither apart, and half the size), nor the dependencies tsdown
 * inlined (ajv, @cfworker/json-schema, under `node_modules/`), which other
 * packages bundle on their own, nor rolldown's runtime helpers.
 */
const ownRegion = /^src\//

/**
 * The package's own source modules in one tsdown bundle, by path
 * (`src/client/streamableHttp.ts`).
 *
 * @example
 * bundleRegions('//#region src/a.ts\nconst a = 1;\n//#endregion\n') // Map { 'src/a.ts' => 'const a = 1;\n' }
 */
export function bundleRegions(text: string): Map<string, string> {
  const regions = new Map<string, string>()
  for (const [, name, body] of text.matchAll(/^\/\/#region (\S+)\n([\s\S]*?)^\/\/#endregion$/gm)) {
    if (ownRegion.test(name!)) regions.set(name!, body!)
  }
  return regions
}

/** A v2 release's esm bundles after the fixes that target `pkg` (the builder's own edits; patches:check keeps them equal to patches/). */
function patchedBundles(pkg: string, version: string, pkgDir: string): Map<string, string> {
  const files = new Map<string, string>()
  for (const fix of fixes) applyFixOn(fix, pkg, version, pkgDir, files)
  return files
}

/**
 * A v2 package: the regions of its `dist/*.mjs` bundles, written to `scratch`
 * one file each so the builder reads them like v1's modules; a region counts
 * as patched when the fixes change its text.
 */
const v2Source =
  (pkg: string): Source =>
  (version, scratch) => {
    const pkgDir = pristinePackage(pkg, version)
    const patchedText = patchedBundles(pkg, version, pkgDir)
    const files: string[] = []
    const patched: string[] = []
    for (const name of readdirSync(join(pkgDir, 'dist')).filter(n => n.endsWith('.mjs')).sort()) {
      const file = `dist/${name}`
      const after = patchedText.has(file) ? bundleRegions(patchedText.get(file)!) : undefined
      for (const [region, body] of bundleRegions(readFileSync(join(pkgDir, file), 'utf8'))) {
        mkdirSync(dirname(join(scratch, region)), { recursive: true })
        writeFileSync(join(scratch, region), body)
        files.push(region)
        if (after && after.get(region) !== body) patched.push(region)
      }
    }
    return { dir: scratch, files: files.sort(), patched }
  }

/** Every fingerprinted package. */
const sources: Record<string, Source> = {
  [SDK_PACKAGE]: v1Source,
  [CLIENT_PACKAGE]: v2Source(CLIENT_PACKAGE),
  [SERVER_PACKAGE]: v2Source(SERVER_PACKAGE)
}

/**
 * The fingerprints of every supported release of each package in `sources`.
 *
 * @example
 * writeFileSync('fingerprints.json', JSON.stringify(buildFingerprints()))
 */
export function buildFingerprints(): Fingerprints {
  const manifest = readManifest(patchesRoot)
  const packages: Fingerprints['packages'] = {}
  const scratch = mkdtempSync(join(tmpdir(), 'mcps-fingerprints-'))
  try {
    for (const [pkg, source] of Object.entries(sources)) {
      const versions = supportedVersions(manifest, pkg)
      const releases = Object.fromEntries(versions.map(v => [v, source(v, join(scratch, pkg, v))]))
      const patched = [...new Set(versions.flatMap(v => releases[v]!.patched))].sort()
      packages[pkg] = buildPackageFingerprints(Object.fromEntries(versions.map(v => [v, releases[v]!.dir])), v => releases[v]!.files, patched)
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true })
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
