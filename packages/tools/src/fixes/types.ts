/**
 * One description of a fix, from which the builder produces a patch for every
 * supported SDK version. An edit is a regular expression that must match
 * exactly once in each listed file of the pristine SDK (after the fixes
 * before it), so an upstream change that moves the code fails the build
 * loudly instead of producing a patch that silently does less.
 */
export interface Fix {
  /** `<issue>-<short-name>`; shared by the patch file, the proof test and the changeset. */
  slug: string
  /** One line, under 72 columns: the DEP-3 `Description` summary. */
  title: string
  /** Symptom, cause and change, as prose; wrapped into the patch header. */
  description: string
  /** Issue and PR links; the first is the DEP-3 `Bug`. */
  bugs: string[]
  /** The spec rule the fix follows, if any. */
  spec?: string
  /** DEP-3 `Forwarded`: `no`, `not-needed` or an upstream PR URL. */
  forwarded: string
  /** Bump when the description or edits change; becomes `Last-Update`. */
  lastUpdate: string
  /** The proof test, relative to the repository root. */
  test: string
  /** For the upstream PR: the TypeScript source the dist edits correspond to. */
  upstreamSource: string
  edits: Edit[]
  /**
   * The same fix on other packages (the v2 SDK, `@modelcontextprotocol/client` and `/server`), each with its
   * own edits and proof test. The fields above describe the v1 SDK, `@modelcontextprotocol/sdk`.
   */
  targets?: Target[]
}

/**
 * One more package a fix patches. Its bundles change names every release
 * (tsdown's content-hashed chunks), so its edits name files by pattern
 * (`dist/*.mjs`) and the builder finds the one file each edit matches.
 */
export interface Target {
  /** The package name, e.g. `@modelcontextprotocol/client`. */
  package: string
  /** The DEP-3 summary for this package, when the fix does less or reads differently here. */
  title?: string
  /** Symptom, cause and change on this package, when they differ from the v1 text. */
  description?: string
  /** The proof test for this package, when it is not the fix's `test` (which runs in every cell it concerns). */
  test?: string
  /** For the upstream PR (the `main` branch of typescript-sdk): the TypeScript source the dist edits correspond to. */
  upstreamSource: string
  edits: Edit[]
}

export interface Edit {
  /** A short name for error messages: `post-404`, `dts-terminate`. */
  name: string
  /**
   * Paths inside the package, e.g. `dist/esm/client/streamableHttp.js`. An entry with a `*` is a pattern
   * within one folder (`dist/*.mjs`): the edit goes to the one file it matches whose text `find` matches
   * (the hashed chunk's name then becomes part of that version's patch). No such file, or several, fails
   * the build naming the fix, the edit, the package, the version and the files.
   */
  files: string[]
  /** Must match exactly once per file. */
  find: RegExp
  /** The replacement, as for `String.prototype.replace` (`$1` refers to groups). */
  replace: string | ((match: string, ...groups: string[]) => string)
  /**
   * When this pattern already matches the pristine file, upstream ships the
   * behaviour and the edit is skipped for that version ("not affected").
   */
  unlessPresent?: RegExp
  /** Limit the edit to a range of SDK versions, e.g. `>=1.25.0` or `<1.25.0`. */
  versions?: string
}

export { marker } from '@mcp-sessions/patches'

/**
 * The same edit for a v2 bundle's esm and cjs build: the pattern for `dist/*.mjs` and `dist/*.cjs` (or
 * `.d.mts` and `.d.cts` with `types`).
 *
 * @example
 * { name: 'post-404', files: bundles(), find: /.../, replace: '...' }
 */
export function bundles(kind: 'js' | 'types' = 'js'): string[] {
  return kind === 'js' ? ['dist/*.mjs', 'dist/*.cjs'] : ['dist/*.d.mts', 'dist/*.d.cts']
}
