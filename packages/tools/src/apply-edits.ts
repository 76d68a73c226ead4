import { existsSync, readFileSync, readdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { marker, type FixState } from '@mcp-sessions/patches'
import type { Edit } from './fixes/index.js'
import { satisfies } from './semver.js'
import { syntaxErrors } from './syntax-check.js'

/** One fix's edits for one package release, and where they come from (for error messages). */
export interface EditJob {
  slug: string
  edits: Edit[]
  pkg: string
  version: string
  /** The pristine, unpacked package. */
  pkgDir: string
  /** The description to update when an edit no longer matches, e.g. `packages/tools/src/fixes/v2/1708-client-404.ts`. */
  source: string
}

export interface EditResult {
  /** `patched` when at least one edit applied; `not-affected` when every edit was skipped. */
  state: FixState
  /** The files the fix changed, paths inside the package. */
  touched: Set<string>
}

const isPattern = (entry: string) => entry.includes('*')

/** `dist/*.mjs` -> a RegExp for the file names in `dist/`. */
function namePattern(entry: string): RegExp {
  const name = entry.slice(entry.lastIndexOf('/') + 1)
  return new RegExp(`^${name.split('*').map(part => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('[^/]*')}$`)
}

const globalOf = (re: RegExp) => new RegExp(re.source, re.flags.includes('g') ? re.flags : re.flags + 'g')

/**
 * The files an edit entry means: the path itself, or for a pattern the one
 * file (after earlier edits) whose text `find` matches. `skip` when
 * `unlessPresent` matches: upstream ships the behaviour.
 */
function resolve(entry: string, edit: Edit, job: EditJob, read: (file: string) => string | undefined, where: string): string | 'skip' {
  if (!isPattern(entry)) return entry
  const folder = dirname(entry)
  const names = existsSync(join(job.pkgDir, folder)) ? readdirSync(join(job.pkgDir, folder)).filter(n => namePattern(entry).test(n)).sort() : []
  const candidates = names.map(n => `${folder}/${n}`)
  if (edit.unlessPresent && candidates.some(f => edit.unlessPresent!.test(read(f) ?? ''))) return 'skip'
  const hits = candidates.filter(f => globalOf(edit.find).test(read(f) ?? ''))
  if (hits.length === 1) return hits[0]!
  const found = hits.length === 0 ? `no file among ${candidates.length} matches the pattern` : `the pattern matched in ${hits.length} files (${hits.join(', ')})`
  throw new Error(`[mcp-sessions] Failed to build ${where} ${entry}: ${found}, expected exactly one. Update the edit in ${job.source}.`)
}

/**
 * Applies one fix's edits to `files` (file path -> current text, changed in
 * place; a file not in the map is read from the pristine package). Every
 * edit's pattern must match exactly once in its file, every replacement must
 * leave the fix's marker, and each file the fix changed must parse after its
 * last edit, or the build fails loudly.
 *
 * @example
 * const { state, touched } = applyEdits({ slug, edits, pkg, version, pkgDir }, files)
 */
export function applyEdits(job: EditJob, files: Map<string, string>): EditResult {
  const touched = new Set<string>()
  /** The names of the edits that changed each file, for the parse error. */
  const editsOf = new Map<string, string[]>()
  const read = (file: string) => files.get(file) ?? (existsSync(join(job.pkgDir, file)) ? readFileSync(join(job.pkgDir, file), 'utf8') : undefined)
  for (const edit of job.edits) {
    if (edit.versions && !satisfies(job.version, edit.versions)) continue
    for (const entry of edit.files) {
      const base = `fix ${job.slug}, edit "${edit.name}", ${job.pkg}@${job.version}`
      const file = resolve(entry, edit, job, read, base)
      if (file === 'skip') continue
      const where = `${base} ${file}`
      const text = read(file)
      if (text === undefined) throw new Error(`[mcp-sessions] Failed to build ${where}: the file does not exist in this release. Limit the edit with \`versions\`.`)
      if (edit.unlessPresent?.test(text)) continue
      const count = [...text.matchAll(globalOf(edit.find))].length
      if (count !== 1) {
        throw new Error(`[mcp-sessions] Failed to build ${where}: the pattern matched ${count} times, expected once. Update the edit in ${job.source}.`)
      }
      const next = text.replace(edit.find, edit.replace as (substring: string, ...args: any[]) => string)
      if (!next.includes(marker(job.slug))) {
        throw new Error(`[mcp-sessions] Failed to build ${where}: the replacement must leave the marker "${marker(job.slug)}".`)
      }
      files.set(file, next)
      touched.add(file)
      editsOf.set(file, [...(editsOf.get(file) ?? []), edit.name])
    }
  }
  // Parsed once per file, after the fix's last edit: a patch ships that state, not the ones between its edits.
  // (Parsing after every edit was 41 of 58 s in a CPU profile of patches:check.)
  for (const file of touched) {
    const broken = syntaxErrors(file, files.get(file)!)
    if (!broken.length) continue
    const names = editsOf.get(file)!
    const where = `fix ${job.slug}, edit${names.length > 1 ? 's' : ''} ${names.map(n => `"${n}"`).join(', ')}, ${job.pkg}@${job.version} ${file}`
    throw new Error(`[mcp-sessions] Failed to build ${where}: the patched file does not parse:\n  ${broken.join('\n  ')}\nFix the replacement in ${job.source}.`)
  }
  return { state: touched.size > 0 ? 'patched' : 'not-affected', touched }
}
