import type { ModuleFlavor } from '../internal/resolve.js'

export type { ModuleFlavor }

/** What a check gets: one installed copy of its package, loaded as its dependent loads it, in one module flavor. */
export interface CheckContext {
  flavor: ModuleFlavor
  /** The package the copy is (`Check.package`), and its version. */
  package: string
  version: string
  /**
   * Loads `<package>/<subpath>` (e.g. `client/streamableHttp.js`; `''` for the
   * package's main entry) from the copy under test, through its `exports`:
   * `import` for esm, `require` for cjs.
   */
  load<T = any>(subpath: string): Promise<T>
  /** Aborts when the check runs out of time; pass it to waits so nothing hangs. */
  signal: AbortSignal
}

/**
 * A behavioural self-test of one fix. `run` exercises the installed SDK on
 * loopback only and throws a `CheckFailure` (via `ensure`) when the behaviour
 * is wrong. Anything else it throws is reported as an error, which also fails.
 */
export interface Check {
  /** The fix's slug, as in patches/manifest.json. */
  slug: string
  /** The package whose copies it exercises; default `@modelcontextprotocol/sdk`. A v2 check names its package. */
  package?: string
  /** One line: the behaviour the check exercises. */
  behaviour: string
  run(ctx: CheckContext): Promise<void>
}

export class CheckFailure extends Error {
  readonly code = 'MCPS_VERIFY_FAILED'
  constructor(message: string) {
    super(message)
    this.name = 'CheckFailure'
  }
}

/**
 * Throws a `CheckFailure` with `message` unless `condition` holds.
 *
 * @example
 * ensure(transport.sessionId === undefined, `the session id is still "${transport.sessionId}" after a 404`)
 */
export function ensure(condition: unknown, message: string): asserts condition {
  if (!condition) throw new CheckFailure(message)
}
