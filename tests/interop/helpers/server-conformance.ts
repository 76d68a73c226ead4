/**
 * One describe block per server under test: start it once, run every server
 * scenario of both pinned suite versions against it, one test per scenario
 * asserting 0 failures and 0 warnings (a by-design exception must be listed,
 * with its reason, in the calling test file).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CONFORMANCE_VERSIONS, SPEC_VERSION, type ConformanceVersion } from '../pins.js'
import { listScenarios, problems, runServerSuite, type ByDesign, type ScenarioResult } from './conformance.js'
import { recordConformance } from './report.js'
import type { ServerUnderTest } from './servers.js'

type Start = (register: (cleanup: () => Promise<void>) => void) => Promise<ServerUnderTest>

/**
 * Declares the conformance tests of one server (call with top-level await:
 * the scenario lists come from the installed suites).
 *
 * @example
 * await describeServerConformance('express', startExpress, [])
 */
export async function describeServerConformance(slug: string, start: Start, byDesign: ByDesign[]): Promise<void> {
  const scenarios = Object.fromEntries(await Promise.all(CONFORMANCE_VERSIONS.map(async v => [v, await listScenarios(v, 'server')] as const))) as Record<ConformanceVersion, string[]>
  const cleanups: Array<() => Promise<void>> = []
  let server: ServerUnderTest | undefined

  describe(`conformance server scenarios against ${slug}`, () => {
    beforeAll(async () => {
      server = await start(cleanup => void cleanups.push(cleanup))
    }, 90_000)
    afterAll(async () => {
      for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {})
    })

    for (const version of CONFORMANCE_VERSIONS) {
      describe(`suite ${version}, --suite all --spec-version ${SPEC_VERSION}`, () => {
        let results: ScenarioResult[] = []
        beforeAll(async () => {
          results = await runServerSuite(version, server!.url)
          recordConformance({ target: slug, name: server!.name, mode: 'server', version, results })
        }, 300_000)

        it('runs every scenario the suite lists for the revision', () => {
          expect(scenarios[version].length).toBeGreaterThan(25)
          expect(results.map(r => r.scenario).sort()).toEqual([...scenarios[version]].sort())
        })

        it.each(scenarios[version])('%s: no failure and no warning', scenario => {
          const result = results.find(r => r.scenario === scenario)
          expect(result, `no checks.json for ${scenario}`).toBeDefined()
          expect(problems(result!, byDesign)).toEqual([])
        })

        for (const entry of byDesign.filter(b => scenarios[version].includes(b.scenario))) {
          it(`${entry.scenario}: the by-design exception (${entry.reason}) still applies`, () => {
            const result = results.find(r => r.scenario === entry.scenario)
            expect(result?.checks.some(c => (c.status === 'FAILURE' || c.status === 'WARNING') && (entry.check === undefined || c.id === entry.check)), 'stale exception: remove it').toBe(true)
          })
        }
      })
    }
  })
}
