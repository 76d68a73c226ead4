/**
 * Builds `patches/<sdk-version>/` for every supported SDK release from the fix
 * descriptions in `./fixes`, plus `patches/manifest.json`, which the
 * `mcp-sessions-patch` CLI and the proof harness read.
 *
 *   npm run patches:build           write the patches
 *   npm run patches:build -- --check   fail when the committed patches differ from a fresh build
 *   MCPS_BUILD_VERSIONS=1.25.0,1.25.1 npm run patches:build -- --out /tmp/try   try releases without touching patches/
 */
import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, relative, resolve } from 'node:path'
import type { FixInfo, FixState, Manifest } from '@mcp-sessions/patches'
import { applyEdits } from './apply-edits.js'
import { fixes, type Edit, type Fix } from './fixes/index.js'
import { patchesRoot } from './paths.js'
import { prefetchPackages, pristinePackage } from './sdk-cache.js'
import { BUILD_PACKAGES, SDK_PACKAGE } from './versions.js'

const pad = (n: number) => String(n).padStart(3, '0')

/**
 * patch-package's name for one fix's patch: `@modelcontextprotocol+sdk+1.32.2+001+1708-client-404.patch`
 * (the scope's `/` becomes `+`).
 */
export function patchFileName(version: string, number: string, slug: string, pkg = SDK_PACKAGE): string {
  if (slug.includes('+')) throw new Error(`[mcp-sessions] Fix slug "${slug}" must not contain "+": patch-package splits names on it.`)
  return `${pkg.replace('/', '+')}+${version}+${number}+${slug}.patch`
}

/** What one fix is on one package: the v1 fields for the v1 SDK, a target for another package. */
interface FixOnPackage {
  title: string
  description: string
  test: string
  edits: Edit[]
}

/**
 * Applies one fix's v1 edits to `files` for a release of the v1 SDK in `sdkDir` (see apply-edits.ts).
 *
 * @example
 * applyFix(fix, '1.32.2', pristineSdk('1.32.2'), new Map()) // 'patched'
 */
export function applyFix(fix: Fix, version: string, sdkDir: string, files: Map<string, string>): FixState {
  return applyEdits({ slug: fix.slug, edits: fix.edits, pkg: SDK_PACKAGE, version, pkgDir: sdkDir, source: fixSource(SDK_PACKAGE, fix.slug) }, files).state
}

/**
 * Applies what `fix` does to a release of `pkg` (its v1 edits, or its
 * target's for a v2 package) to `files`; `undefined` when the fix does not
 * concern `pkg`.
 *
 * @example
 * applyFixOn(fix, '@modelcontextprotocol/client', '2.4.0', pristinePackage('@modelcontextprotocol/client', '2.4.0'), new Map())
 */
export function applyFixOn(fix: Fix, pkg: string, version: string, pkgDir: string, files: Map<string, string>): ReturnType<typeof applyEdits> | undefined {
  const on = fixOn(fix, pkg)
  return on && applyEdits({ slug: fix.slug, edits: on.edits, pkg, version, pkgDir, source: fixSource(pkg, fix.slug) }, files)
}

/** The file that describes a fix's edits for `pkg`: what a patch header names as its source. */
const fixSource = (pkg: string, slug: string): string => `packages/tools/src/fixes/${pkg === SDK_PACKAGE ? '' : 'v2/'}${slug}.ts`

function fixOn(fix: Fix, pkg: string): FixOnPackage | undefined {
  if (pkg === SDK_PACKAGE) return fix
  const target = fix.targets?.find(t => t.package === pkg)
  return target && { title: target.title ?? fix.title, description: target.description ?? fix.description, test: target.test ?? fix.test, edits: target.edits }
}

function wrap(text: string, width = 78): string[] {
  const lines: string[] = []
  let line = ''
  for (const word of text.split(/\s+/)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line)
      line = word
    } else line = line ? `${line} ${word}` : word
  }
  if (line) lines.push(line)
  return lines
}

/** The DEP-3 style header; every line is `Field: value` or a continuation starting with a space. */
function header(fix: Fix, on: FixOnPackage, pkg: string, version: string): string {
  const [bug, ...related] = fix.bugs
  const lines = [
    `Description: ${on.title}`,
    ...wrap(on.description).map(l => ` ${l}`),
    'Origin: vendor',
    `Bug: ${bug}`,
    ...related.map(url => `Bug-Related: ${url}`),
    ...(fix.spec ? [`Spec: ${fix.spec}`] : []),
    `Forwarded: ${fix.forwarded}`,
    `Last-Update: ${fix.lastUpdate}`,
    ...(pkg === SDK_PACKAGE ? [] : [`Package: ${pkg}`]),
    `SDK-Version: ${version}`,
    `Test: ${on.test}`,
    '---'
  ]
  for (const l of lines) {
    if (/^(@@|diff --git |index |--- |\+\+\+ |rename |old mode|new mode|new file mode|deleted file mode)/.test(l)) {
      throw new Error(`[mcp-sessions] Header line of ${fix.slug} starts with a diff keyword: ${l}`)
    }
  }
  return lines.join('\n') + '\n'
}

/** git's unified diff of the `files` that differ between `before` and `after`, as patch-package reads it. */
function unifiedDiff(pkg: string, files: string[], before: (file: string) => string, after: Map<string, string>): string {
  const tmp = mkdtempSync(join(tmpdir(), 'mcps-diff-'))
  try {
    let changed = 0
    for (const file of files) {
      const a = before(file)
      const b = after.get(file)!
      if (a === b) continue
      changed++
      const rel = `node_modules/${pkg}/${file}`
      for (const [side, text] of [['a', a], ['b', b]] as const) {
        mkdirSync(dirname(join(tmp, side, rel)), { recursive: true })
        writeFileSync(join(tmp, side, rel), text, { mode: 0o644 })
      }
    }
    if (!changed) return ''
    // One git for the fix's files (the two trees hold the same paths, so git pairs them by name, in path order).
    try {
      execFileSync('git', ['-c', 'core.quotepath=off', 'diff', '--no-index', '--no-prefix', '--no-color', '--no-ext-diff', '--diff-algorithm=myers', '-U3', 'a', 'b'], { cwd: tmp, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' } })
    } catch (error) {
      const e = error as { status?: number; stdout?: string }
      if (e.status !== 1 || !e.stdout) throw error
      return e.stdout
    }
    throw new Error(`[mcp-sessions] git diff found no difference in ${changed} changed files of ${pkg}.`)
  } finally {
    rmSync(tmp, { recursive: true, force: true })
  }
}

/** Builds one package release: its patch files (path under patches/ -> content) and each fix's state. */
function buildRelease(pkg: string, dir: string, version: string, out: Map<string, string>): Record<string, FixState> {
  const pkgDir = pristinePackage(pkg, version)
  const pristine = (file: string) => readFileSync(join(pkgDir, file), 'utf8')
  const current = new Map<string, string>()
  const states: Record<string, FixState> = {}
  fixes.forEach((fix, i) => {
    const on = fixOn(fix, pkg)
    if (!on) return
    const before = new Map(current)
    const { state, touched } = applyEdits({ slug: fix.slug, edits: on.edits, pkg, version, pkgDir, source: fixSource(pkg, fix.slug) }, current)
    states[fix.slug] = state
    if (state === 'patched') {
      const diff = unifiedDiff(pkg, [...touched], file => before.get(file) ?? pristine(file), current)
      out.set(join(dir, version, patchFileName(version, pad(i + 1), fix.slug, pkg)), header(fix, on, pkg, version) + diff)
    }
  })
  return states
}

/** The manifest's entry for one fix; `packages` only for a fix that also targets other packages. */
function fixInfo(fix: Fix, i: number): FixInfo {
  const info: FixInfo = { number: pad(i + 1), slug: fix.slug, title: fix.title, bugs: fix.bugs, spec: fix.spec, test: fix.test, forwarded: fix.forwarded }
  if (fix.targets?.length) info.packages = Object.fromEntries(fix.targets.map(t => [t.package, { title: t.title ?? fix.title, test: t.test ?? fix.test }]))
  return info
}

/** Builds every package version's patch files in memory: path under patches/ -> content, plus the manifest. */
export function buildAll(): { files: Map<string, string>; manifest: Manifest } {
  const out = new Map<string, string>()
  const manifest: Manifest = { schema: 2, fixes: fixes.map(fixInfo), packages: {} }
  prefetchPackages(BUILD_PACKAGES.flatMap(({ name, versions }) => versions.map(version => ({ pkg: name, version }))))
  for (const { name, dir, versions } of BUILD_PACKAGES) {
    if (!versions.length) continue
    const entry: Manifest['packages'][string] = { dir, versions: {} }
    for (const version of versions) entry.versions[version] = buildRelease(name, dir, version, out)
    manifest.packages[name] = entry
  }
  out.set('manifest.json', JSON.stringify(manifest, null, 2) + '\n')
  return { files: out, manifest }
}

/** Every committed patch file and the manifest, by path under `root` (the version folders of every package). */
function listCommitted(root: string): Map<string, string> {
  const found = new Map<string, string>()
  if (!existsSync(root)) return found
  for (const entry of readdirSync(root, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !(entry.name.endsWith('.patch') || (entry.name === 'manifest.json' && entry.parentPath === root))) continue
    const path = join(entry.parentPath, entry.name)
    found.set(relative(root, path), readFileSync(path, 'utf8'))
  }
  return found
}

function main(): void {
  const check = process.argv.includes('--check')
  const out = process.argv.indexOf('--out')
  const root = out === -1 ? patchesRoot : resolve(process.argv[out + 1] ?? '')
  const { files, manifest } = buildAll()
  const committed = listCommitted(root)
  if (check) {
    const problems: string[] = []
    for (const [name, text] of files) {
      if (!committed.has(name)) problems.push(`missing: patches/${name}`)
      else if (committed.get(name) !== text) problems.push(`differs from the builder's output: patches/${name}`)
    }
    for (const name of committed.keys()) if (!files.has(name)) problems.push(`not produced by the builder: patches/${name}`)
    if (problems.length) {
      console.error(`[mcp-sessions] The committed patches are not what the builder produces:\n  ${problems.join('\n  ')}\nRun \`npm run patches:build\` and commit the result.`)
      process.exit(1)
    }
    const counts = Object.entries(manifest.packages).map(([name, p]) => `${name} ${Object.keys(p.versions).length}`)
    console.log(`patches are up to date: ${files.size - 1} patch files for ${counts.join(', ')} versions`)
    return
  }
  for (const name of committed.keys()) if (!files.has(name)) rmSync(join(root, name))
  for (const [name, text] of files) {
    mkdirSync(dirname(join(root, name)), { recursive: true })
    writeFileSync(join(root, name), text)
  }
  for (const [name, entry] of Object.entries(manifest.packages)) {
    for (const [version, states] of Object.entries(entry.versions)) {
      console.log(`${name === SDK_PACKAGE ? '' : `${name} `}${version}: ${Object.entries(states).map(([s, st]) => `${s} ${st}`).join(', ')}`)
    }
  }
}

if (import.meta.url === `file://${process.argv[1]}`) main()
