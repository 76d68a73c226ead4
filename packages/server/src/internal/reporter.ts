import { SessionManagerError, type SessionErrorCode } from '../errors.js'

/** Reports a failure that does not reach a client. */
export type Report = (code: SessionErrorCode, message: string, cause: unknown) => void

/** Reports to `onError`, or to the console when there is none (or it throws). */
export function createReporter(onError: ((error: SessionManagerError) => void) | undefined): Report {
  return (code, message, cause) => {
    const detail = cause instanceof Error ? cause.message : String(cause)
    const error = new SessionManagerError(code, `${message} (${detail})`, { cause })
    try {
      if (onError) return onError(error)
    } catch {
      // An onError that throws falls back to the console below.
    }
    console.warn(error.message)
  }
}

/** Calls a user hook; a throw or a rejection is reported, never propagated. */
export function runHook(report: Report, name: string, hook: ((...args: never[]) => unknown) | undefined, args: unknown[]): void {
  if (!hook) return
  const failed = (error: unknown) => report('MCPS_HOOK_FAILED', `Failed to run hook ${name}: it threw; the request was handled anyway`, error)
  try {
    const result = (hook as (...a: unknown[]) => unknown)(...args)
    if (result instanceof Promise) result.catch(failed)
  } catch (error) {
    failed(error)
  }
}
