/**
 * The conformance suite's client scenarios (2025-11-25) against this repo's
 * patched SDK client (tests/interop/conformance-client/client.ts, run on the
 * machine's Node with the repo's node_modules). Target: 0 failures, 0 warnings.
 * @see issue 14
 */
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { CONFORMANCE_VERSIONS, SPEC_VERSION, type ConformanceVersion } from '../pins.js'
import { listScenarios, problems, runClientScenarios, type ByDesign, type ScenarioResult } from '../helpers/conformance.js'
import { recordConformance } from '../helpers/report.js'

/**
 * Reviewed exceptions. `client-sse-retry-timing` warns when the reconnect comes more than 200 ms after the
 * server's `retry` (it fails when it comes early): on two shared cores that lateness is the machine's load
 * (seen: 732 ms for 500 ms while the server suites ran beside it), and timing is measured, not asserted, here.
 * Reconnecting too early still fails the test.
 */
const BY_DESIGN: ByDesign[] = [
  { scenario: 'sse-retry', check: 'client-sse-retry-timing', status: 'WARNING', reason: 'late reconnect under machine load' }
]

/**
 * Listed scenarios this project does not run, with the reason. The OAuth
 * scenarios test the SDK's authorization client, which the patch set does not
 * touch; running them needs a headless OAuth provider in client.ts (not written yet).
 */
const NOT_RUN: Array<{ match: RegExp; reason: string }> = [
  { match: /^auth\//, reason: 'OAuth client flows: not session handling, untouched by the patch set; needs a headless OAuth provider in client.ts' }
]

const tsx = import.meta.resolve('tsx')
const client = join(import.meta.dirname, '..', 'conformance-client', 'client.ts')
const command = `${process.execPath} --import ${tsx} ${client}`

const listed = Object.fromEntries(await Promise.all(CONFORMANCE_VERSIONS.map(async v => [v, await listScenarios(v, 'client')] as const))) as Record<ConformanceVersion, string[]>

describe('conformance client scenarios against the patched SDK client', () => {
  for (const version of CONFORMANCE_VERSIONS) {
    const scenarios = listed[version].filter(s => !NOT_RUN.some(n => n.match.test(s)))
    describe(`suite ${version}, --spec-version ${SPEC_VERSION}`, () => {
      let results: ScenarioResult[] = []
      it('runs every listed scenario that is not set aside with a reason', async () => {
        results = await runClientScenarios(version, command, scenarios)
        recordConformance({ target: 'sdk-client', name: '@modelcontextprotocol/sdk 1.32.2 + @mcp-sessions/patches', mode: 'client', version, results })
        expect(scenarios.length).toBeGreaterThanOrEqual(4)
        expect(results.map(r => r.scenario).sort()).toEqual([...scenarios].sort())
      }, 180_000)

      it.each(scenarios)('%s: no failure and no warning', scenario => {
        const result = results.find(r => r.scenario === scenario)
        expect(result, `no checks.json for ${scenario}`).toBeDefined()
        expect(problems(result!, BY_DESIGN)).toEqual([])
      })
    })
  }
})
