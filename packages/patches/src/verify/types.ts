/** How the SDK is loaded: `import` of `dist/esm`, or `require` of `dist/cjs`. */
export type ModuleFlavor = 'esm' | 'cjs'

/** What a check gets: the installed SDK, loaded from the app, in one module flavor. */
export interface CheckContext {
  flavor: ModuleFlavor
  version: string
  /** Loads `@modelcontextprotocol/sdk/<subpath>` (e.g. `client/streamableHttp.js`) from the app. */
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
