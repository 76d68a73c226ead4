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
import { dirname, join, resolve } from 'node:path'
import { marker, type FixState, type Manifest } from '@mcp-sessions/patches'
import { fixes, type Fix } from './fixes/index.js'
import { patchesRoot } from './paths.js'
import { pristineSdk } from './sdk-cache.js'
import { satisfies } from './semver.js'
import { syntaxErrors } from './syntax-check.js'
import { SDK_PACKAGE, SDK_VERSIONS } from './versions.js'

interface BuiltVersion {
  files: Map<string, string>
  states: Record<string, FixState>
}

const pad = (n: number) => String(n).padStart(3, '0')

export function patchFileName(version: string, number: string, slug: string): string {
  if (slug.includes('+')) throw new Error(`[mcp-sessions] Fix slug "${slug}" must not contain "+": patch-package splits names on it.`)
  return `${SDK_PACKAGE.replace('/', '+')}+${version}+${number}+${slug}.patch`
}

/** Applies one fix's edits to `files` (changed in place); returns whether anything applied. */
export function applyFix(fix: Fix, version: string, sdkDir: string, files: Map<string, string>): FixState {
  let applied = 0
  for (const edit of fix.edits) {
    if (edit.versions && !satisfies(version, edit.versions)) continue
    for (const file of edit.files) {
      const where = `fix ${fix.slug}, edit "${edit.name}", ${SDK_PACKAGE}@${version} ${file}`
      let text = files.get(file)
      if (text === undefined) {
        const path = join(sdkDir, file)
        if (!existsSync(path)) throw new Error(`[mcp-sessions] Failed to build ${where}: the file does not exist in this release. Limit the edit with \`versions\`.`)
        text = readFileSync(path, 'utf8')
      }
      if (edit.unlessPresent?.test(text)) continue
      const global = new RegExp(edit.find.source, edit.find.flags.includes('g') ? edit.find.flags : edit.find.flags + 'g')
      const count = [...text.matchAll(global)].length
      if (count !== 1) {
        throw new Error(`[mcp-sessions] Failed to build ${where}: the pattern matched ${count} times, expected once. Update the edit in packages/tools/src/fixes/${fix.slug}.ts.`)
      }
      const next = text.replace(edit.find, edit.replace as (substring: string, ...args: any[]) => string)
      if (!next.includes(marker(fix.slug))) {
        throw new Error(`[mcp-sessions] Failed to build ${where}: the replacement must leave the marker "${marker(fix.slug)}".`)
      }
      const broken = syntaxErrors(file, next)
      if (broken.length) {
        throw new Error(`[mcp-sessions] Failed to build ${where}: the patched file does not parse:\n  ${broken.join('\n  ')}\nFix the replacement in packages/tools/src/fixes/${fix.slug}.ts.`)
      }
      files.set(file, next)
      applied++
    }
  }
  return applied > 0 ? 'patched' : 'not-affected'
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
function header(fix: Fix, version: string): string {
  const [bug, ...related] = fix.bugs
  const lines = [
    `Description: ${fix.title}`,
    ...wrap(fix.description).map(l => ` ${l}`),
    'Origin: vendor',
    `Bug: ${bug}`,
    ...related.map(url => `Bug-Related: ${url}`),
    ...(fix.spec ? [`Spec: ${fix.spec}`] : []),
    `Forwarded: ${fix.forwarded}`,
    `Last-Update: ${fix.lastUpdate}`,
    `SDK-Version: ${version}`,
    `Test: ${fix.test}`,
    '---'
  ]
  for (const l of lines) {
    if (/^(@@|diff --git |index |--- |\+\+\+ |rename |old mode|new mode|new file mode|deleted file mode)/.test(l)) {
      throw new Error(`[mcp-sessions] Header line of ${fix.slug} starts with a diff keyword: ${l}`)
    }
  }
  return lines.join('\n') + '\n'
}

function unifiedDiff(before: Map<string, string>, after: Map<string, string>): string {
  const tmp = mkdtempSync(join(tmpdir(), 'mcps-diff-'))
  try {
    let out = ''
    for (const file of [...after.keys()].sort()) {
      const a = before.get(file)!
      const b = after.get(file)!
      if (a === b) continue
      const rel = `node_modules/${SDK_PACKAGE}/${file}`
      for (const [side, text] of [['a', a], ['b', b]] as const) {
        mkdirSync(dirname(join(tmp, side, rel)), { recursive: true })
        writeFileSync(join(tmp, side, rel), text, { mode: 0o644 })
      }
      try {
        execFileSync('git', ['-c', 'core.quotepath=off', 'diff', '--no-index', '--no-prefix', '--no-color', '--no-ext-diff', '--diff-algorithm=myers', '-U3', `a/${rel}`, `b/${rel}`], { cwd: tmp, encoding: 'utf8', env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' } })
      } catch (error) {
        const e = error as { status?: number; stdout?: string }
        if (e.status !== 1 || !e.stdout) throw error
        out += e.stdout
      }
    }
    return out
  } finally {
    rmSync(tmp, { recursive: true, force: true })
  }
}

/** Builds every version's patch files in memory: file name -> content, plus the manifest. */
export function buildAll(): { files: Map<string, string>; manifest: Manifest } {
  const out = new Map<string, string>()
  const versions: Record<string, Record<string, FixState>> = {}
  const manifest: Manifest = {
    schema: 2,
    fixes: fixes.map((f, i) => ({ number: pad(i + 1), slug: f.slug, title: f.title, bugs: f.bugs, spec: f.spec, test: f.test, forwarded: f.forwarded })),
    packages: { [SDK_PACKAGE]: { dir: '', versions } }
  }
  for (const version of SDK_VERSIONS) {
    const sdkDir = pristineSdk(version)
    const current = new Map<string, string>()
    const built: BuiltVersion = { files: new Map(), states: {} }
    fixes.forEach((fix, i) => {
      const before = new Map(current)
      for (const edit of fix.edits) for (const file of edit.files) if (!before.has(file) && existsSync(join(sdkDir, file))) before.set(file, readFileSync(join(sdkDir, file), 'utf8'))
      const state = applyFix(fix, version, sdkDir, current)
      built.states[fix.slug] = state
      if (state === 'patched') {
        const diff = unifiedDiff(before, current)
        out.set(join(version, patchFileName(version, pad(i + 1), fix.slug)), header(fix, version) + diff)
      }
    })
    versions[version] = built.states
  }
  out.set('manifest.json', JSON.stringify(manifest, null, 2) + '\n')
  return { files: out, manifest }
}

function listCommitted(root: string): Map<string, string> {
  const found = new Map<string, string>()
  if (!existsSync(root)) return found
  for (const entry of readdirSync(root, { withFileTypes: true })) {
    if (entry.isFile() && entry.name === 'manifest.json') found.set(entry.name, readFileSync(join(root, entry.name), 'utf8'))
    if (entry.isDirectory()) {
      for (const f of readdirSync(join(root, entry.name))) {
        if (f.endsWith('.patch')) found.set(join(entry.name, f), readFileSync(join(root, entry.name, f), 'utf8'))
      }
    }
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
    console.log(`patches are up to date: ${files.size - 1} patch files for ${Object.keys(manifest.packages[SDK_PACKAGE]!.versions).length} SDK versions`)
    return
  }
  for (const name of committed.keys()) if (!files.has(name)) rmSync(join(root, name))
  for (const [name, text] of files) {
    mkdirSync(dirname(join(root, name)), { recursive: true })
    writeFileSync(join(root, name), text)
  }
  for (const [version, states] of Object.entries(manifest.packages[SDK_PACKAGE]!.versions)) {
    console.log(`${version}: ${Object.entries(states).map(([s, st]) => `${s} ${st}`).join(', ')}`)
  }
}

if (import.meta.url === `file://${process.argv[1]}`) main()
