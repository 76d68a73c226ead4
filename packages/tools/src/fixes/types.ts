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
}

export interface Edit {
  /** A short name for error messages: `post-404`, `dts-terminate`. */
  name: string
  /** Paths inside the SDK package, e.g. `dist/esm/client/streamableHttp.js`. */
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
