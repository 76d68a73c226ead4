/**
 * Runs the official conformance suite (`@modelcontextprotocol/conformance`,
 * installed by global-setup.ts) on Node 22 and reads its structured results:
 * every scenario writes `checks.json` (an array of checks with `id`, `status`
 * SUCCESS | FAILURE | WARNING | INFO | SKIPPED, `errorMessage`) into its own
 * folder under `--output-dir`. Nothing here parses printed text.
 */
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, relative } from 'node:path'
import { inject } from 'vitest'
import { SPEC_VERSION, type ConformanceVersion } from '../pins.js'

export type CheckStatus = 'SUCCESS' | 'FAILURE' | 'WARNING' | 'INFO' | 'SKIPPED'

export interface Check {
  id: string
  name?: string
  description?: string
  status: CheckStatus
  errorMessage?: string
}

export interface ScenarioResult {
  scenario: string
  /** `fail` if any check failed, else `warn` if any warned, else `pass`. */
  outcome: 'pass' | 'fail' | 'warn'
  checks: Check[]
  /** Client mode: the suite's exit code for this scenario alone (null: killed after the timeout). */
  exit?: number | null
  /** The end of the suite's output (the client's stderr among it), kept when the exit code is not 0. */
  output?: string
}

/** A scenario (or one check of it) a server or client cannot pass by design, with the reviewed reason. */
export interface ByDesign {
  scenario: string
  check?: string
  /** Only this status is excused (e.g. a timing WARNING, never the FAILURE). */
  status?: 'WARNING'
  reason: string
}

function run(args: string[], timeoutMs: number, env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(inject('interop').node22, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } })
    let output = ''
    child.stdout.on('data', (d: Buffer) => (output += d))
    child.stderr.on('data', (d: Buffer) => (output += d))
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
    child.on('error', reject)
    child.on('close', code => {
      clearTimeout(timer)
      resolve({ code, output })
    })
  })
}

/** Scenario names the suite lists for `mode` at the spec revision, from `list` (one `  - name [versions]` per line). */
export async function listScenarios(version: ConformanceVersion, mode: 'server' | 'client'): Promise<string[]> {
  const { code, output } = await run([inject('interop').conformance[version], 'list', `--${mode}`, '--spec-version', SPEC_VERSION], 60_000)
  if (code !== 0) throw new Error(`[mcp-sessions] Failed to list conformance ${version} ${mode} scenarios (exit ${code}):\n${output}`)
  return [...output.matchAll(/^\s+- (\S+)/gm)].map(m => m[1]!)
}

const STAMP = /-\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}-\d{3}Z$/

/** Reads every `checks.json` under `dir`; the folder name is `[server-]<scenario>-<timestamp>`. */
export function readResults(dir: string, prefix: string): ScenarioResult[] {
  const files = (readdirSync(dir, { recursive: true }) as string[]).filter(f => f.endsWith('checks.json'))
  return files.map(file => {
    const folder = relative(dir, join(dir, dirname(file)))
    const scenario = folder.replace(STAMP, '').replace(new RegExp(`^${prefix}`), '')
    const checks = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Check[]
    const outcome = checks.some(c => c.status === 'FAILURE') ? 'fail' : checks.some(c => c.status === 'WARNING') ? 'warn' : 'pass'
    return { scenario, outcome, checks } satisfies ScenarioResult
  }).sort((a, b) => a.scenario.localeCompare(b.scenario))
}

/**
 * Runs every server scenario of the spec revision (`--suite all`, pending ones
 * included) against `url` and returns one result per scenario.
 *
 * @example
 * const results = await runServerSuite('0.1.16', 'http://127.0.0.1:3000/mcp')
 */
export async function runServerSuite(version: ConformanceVersion, url: string, timeoutMs = 240_000): Promise<ScenarioResult[]> {
  const out = mkdtempSync(join(tmpdir(), 'mcps-conformance-'))
  try {
    const { code, output } = await run([inject('interop').conformance[version], 'server', '--url', url, '--suite', 'all', '--spec-version', SPEC_VERSION, '-o', out], timeoutMs)
    const results = readResults(out, 'server-')
    if (!results.length) throw new Error(`[mcp-sessions] Conformance ${version} wrote no results (exit ${code}):\n${output}`)
    return results
  } finally {
    rmSync(out, { recursive: true, force: true })
  }
}

/** Client scenarios run at once, over both suite versions: each is a suite process and a client process. */
export const CLIENT_CONCURRENCY = 8

/** A slot for one of CLIENT_CONCURRENCY concurrent client scenarios; call the returned function to free it. */
const slots = (() => {
  let free = CLIENT_CONCURRENCY
  const waiting: Array<() => void> = []
  return async (): Promise<() => void> => {
    if (free > 0) free--
    else await new Promise<void>(resolve => waiting.push(resolve))
    return () => {
      const next = waiting.shift()
      if (next) next()
      else free++
    }
  }
})()

/**
 * Runs client scenarios with `command` as the client under test, one suite
 * process per scenario (so each has its own exit code: non-zero when a check
 * failed or warned, the client timed out, or it exited non-zero where the
 * scenario does not allow that), at most CLIENT_CONCURRENCY at a time across
 * every caller in this worker. The suite appends the server URL to the
 * command and sets MCP_CONFORMANCE_SCENARIO (and MCP_CONFORMANCE_CONTEXT);
 * it stops a client still running after `clientTimeoutMs`. `timeline: false`
 * runs extension scenarios (no `--spec-version`).
 *
 * @example
 * const results = await runClientScenarios('0.1.16', `${process.execPath} client.js`, ['initialize'])
 */
export async function runClientScenarios(version: ConformanceVersion, command: string, scenarios: string[], { timeline = true, clientTimeoutMs = 60_000 } = {}): Promise<ScenarioResult[]> {
  const out = mkdtempSync(join(tmpdir(), 'mcps-conformance-'))
  try {
    const runs = await Promise.all(scenarios.map(async scenario => {
      const release = await slots()
      try {
        const dir = join(out, String(scenarios.indexOf(scenario)))
        // The suite's own limit for the client (default 30 s, too short on two loaded cores), then ours for the suite.
        // Extension scenarios are on no spec timeline: 0.2 refuses them under --spec-version.
        const args = ['client', '--command', command, '--scenario', scenario, ...(timeline ? ['--spec-version', SPEC_VERSION] : []), '--timeout', String(clientTimeoutMs), '-o', dir]
        const { code, output } = await run([inject('interop').conformance[version], ...args], clientTimeoutMs + 30_000)
        const [result] = existsSync(dir) ? readResults(dir, '') : []
        if (code === 0 && result) return { ...result, scenario, exit: code }
        // A failed client or a timeout flags no check; the outcome says it all the same.
        const outcome = !result?.checks.length || result.outcome === 'pass' ? 'fail' : result.outcome
        return { scenario, checks: result?.checks ?? [], outcome, exit: code, output: output.slice(-2_000) }
      } finally {
        release()
      }
    }))
    return runs.sort((a, b) => a.scenario.localeCompare(b.scenario))
  } finally {
    rmSync(out, { recursive: true, force: true })
  }
}

/**
 * What keeps a scenario from "0 failures, 0 warnings": each failing or
 * warning check not covered by `byDesign`, as `check-id STATUS: message`.
 *
 * @example
 * expect(problems(result, [])).toEqual([])
 */
export function problems(result: ScenarioResult, byDesign: ByDesign[]): string[] {
  const flagged = result.checks.filter(c => c.status === 'FAILURE' || c.status === 'WARNING')
  const found = flagged
    .filter(c => !byDesign.some(b => b.scenario === result.scenario && (b.check === undefined || b.check === c.id) && (b.status === undefined || b.status === c.status)))
    .map(c => `${c.id} ${c.status}: ${c.errorMessage ?? c.description ?? ''}`)
  // With no flagged check, a non-zero exit is the client's: it failed (where the scenario does not allow that) or timed out.
  if (!result.checks.length) found.push('the suite recorded no checks')
  if (!flagged.length && result.exit !== undefined && result.exit !== 0) found.push(`suite exit ${result.exit}: the client failed or timed out${result.output ? `\n${result.output}` : ''}`)
  return found
}
