import { appendFileSync } from 'node:fs'
import { it, type TestContext } from 'vitest'
import { currentCell, fixState } from './cell.js'

type Body = (ctx: TestContext) => unknown | Promise<unknown>

/**
 * What a cell's run of one test meant, appended as a JSON line to
 * `MCPS_PROOF_LOG` so the proof runner can print the table.
 */
export interface ProofRecord {
  kind: 'proof' | 'guard'
  fix: string
  /** The package the cell holds: `@modelcontextprotocol/sdk`, or a v2 package. */
  package: string
  version: string
  patched: boolean
  test: string
  /** `passed`, or for a proof in an unpatched cell `failed-as-expected`. */
  outcome: 'passed' | 'failed-as-expected'
}

function record(entry: ProofRecord): void {
  const log = process.env.MCPS_PROOF_LOG
  if (log) appendFileSync(log, JSON.stringify(entry) + '\n')
}

const isAssertion = (error: unknown) => error instanceof Error && error.name === 'AssertionError'

/**
 * Declares a proof test for `fix`: it states only the correct behaviour.
 * - Patched cell, or a version the fix does not affect: runs as a normal test.
 * - Unpatched cell of an affected version: the body must FAIL, and with an
 *   assertion error (`expect`). Passing means the proof is broken (or upstream
 *   fixed the bug); failing any other way (a crash, a timeout) means the proof
 *   does not show what it claims. Both fail the run.
 *
 * @example
 * proof('1708-client-404')('clears the session id when a POST gets 404', async () => { ... })
 */
export function proof(fix: string) {
  return (name: string, body: Body, timeout?: number) => {
    const cell = currentCell()
    const expectFailure = !cell.patched && fixState(fix, cell) === 'patched'
    const base = { kind: 'proof' as const, fix, package: cell.pkg, version: cell.version, patched: cell.patched, test: name }
    if (!expectFailure) {
      it(name, async ctx => {
        await body(ctx)
        record({ ...base, outcome: 'passed' })
      }, timeout)
      return
    }
    it(`[fails unpatched] ${name}`, async ctx => {
      let failure: unknown
      try {
        await body(ctx)
      } catch (error) {
        failure = error
      }
      if (failure === undefined) {
        throw new Error(`[mcp-sessions] Broken proof: "${name}" passed on the unpatched ${cell.pkg} ${cell.version}, so it does not prove fix ${fix}. If upstream fixed the bug, set Applied-Upstream for this version.`)
      }
      if (!isAssertion(failure)) {
        throw new Error(`[mcp-sessions] Broken proof: "${name}" failed on the unpatched ${cell.pkg} ${cell.version} for an unexpected reason (not an assertion): ${String(failure instanceof Error ? failure.stack : failure)}`)
      }
      record({ ...base, outcome: 'failed-as-expected' })
    }, timeout)
  }
}

/**
 * Declares a guard: behaviour that must hold on every SDK version, patched or
 * not (today's SDK already gets it right; the guard keeps it that way).
 */
export function guard(area: string) {
  return (name: string, body: Body, timeout?: number) => {
    const cell = currentCell()
    it(name, async ctx => {
      await body(ctx)
      record({ kind: 'guard', fix: area, package: cell.pkg, version: cell.version, patched: cell.patched, test: name, outcome: 'passed' })
    }, timeout)
  }
}
