/**
 * The conformance suite's client scenarios (every one it lists for 2025-11-25,
 * the auth/* ones included, and the client-credentials extension scenarios)
 * against this repo's patched SDK client
 * (tests/interop/conformance-client/client.ts, on Node 22 with the repo's
 * node_modules). Target: 0 failures, 0 warnings. Both suite versions run at
 * once, CLIENT_CONCURRENCY scenarios at a time, the timing checks first.
 * @see issue 14
 */
import { join } from 'node:path'
import { beforeAll, describe, expect, inject, it } from 'vitest'
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

/** Timing is what these check: they run first, before the other scenarios load the machine. */
const TIMED = ['sse-retry']

/**
 * Extension scenarios (on no spec timeline, so not listed for 2025-11-25) that the SDK client implements itself:
 * OAuth client credentials (SEP-1046) with a client secret and with a signed JWT. The suite's other extension
 * scenarios (cross-app access / enterprise-managed authorization, DPoP, workload identity, SEP-2640) need client
 * code the SDK 1.x does not have.
 */
const EXTENSIONS = ['auth/client-credentials-basic', 'auth/client-credentials-jwt']

const client = join(import.meta.dirname, '..', 'conformance-client', 'client.ts')
const command = `${inject('interop').node22} ${client}`
const NAME = '@modelcontextprotocol/sdk 1.32.2 + @mcp-sessions/patches'
const byName = (a: ScenarioResult, b: ScenarioResult) => a.scenario.localeCompare(b.scenario)

const listed = Object.fromEntries(await Promise.all(CONFORMANCE_VERSIONS.map(async v => [v, await listScenarios(v, 'client')] as const))) as Record<ConformanceVersion, string[]>
const running = new Map<ConformanceVersion, Promise<ScenarioResult[]>>()

describe('conformance client scenarios against the patched SDK client', () => {
  // Both versions start together (tests in a file run one after another); each test awaits its own.
  beforeAll(() => {
    const timed = Promise.all(CONFORMANCE_VERSIONS.map(v => runClientScenarios(v, command, listed[v].filter(s => TIMED.includes(s)))))
    CONFORMANCE_VERSIONS.forEach((version, i) => {
      const rest = listed[version].filter(s => !TIMED.includes(s))
      const run = timed.then(async first => {
        const [more, extensions] = await Promise.all([runClientScenarios(version, command, rest), runClientScenarios(version, command, EXTENSIONS, { timeline: false })])
        return [...first[i]!, ...more, ...extensions].sort(byName)
      })
      run.catch(() => {}) // awaited (and reported) by the version's test
      running.set(version, run)
    })
  })

  for (const version of CONFORMANCE_VERSIONS) {
    const scenarios = [...listed[version], ...EXTENSIONS]
    describe(`suite ${version}, --spec-version ${SPEC_VERSION} and the extension scenarios`, () => {
      let results: ScenarioResult[] = []
      it('runs every scenario the suite lists and the extension ones, each in its own suite process', async () => {
        results = await running.get(version)!
        const onTimeline = results.filter(r => !EXTENSIONS.includes(r.scenario))
        recordConformance({ target: 'sdk-client', name: NAME, mode: 'client', version, results: onTimeline })
        recordConformance({ target: 'sdk-client-extensions', name: `${NAME} (extension scenarios)`, mode: 'client', version, results: results.filter(r => EXTENSIONS.includes(r.scenario)) })
        expect(listed[version].length).toBeGreaterThanOrEqual(18)
        expect(listed[version].filter(s => s.startsWith('auth/')).length, 'the authorization scenarios are listed and run').toBeGreaterThanOrEqual(14)
        expect(results.map(r => r.scenario)).toEqual([...scenarios].sort())
      }, 240_000)

      it.each(scenarios)('%s: no failure and no warning', scenario => {
        const result = results.find(r => r.scenario === scenario)
        expect(result, `no result for ${scenario}`).toBeDefined()
        expect(problems(result!, BY_DESIGN)).toEqual([])
      })
    })
  }
})
