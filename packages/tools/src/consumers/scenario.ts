import type { CopyStatus, CopyVerification } from '@mcp-sessions/patches'
import type { RunResult } from './exec.js'
import type { DemoResult } from './demo.js'
import type { FoundCopy } from './found.js'
import type { PackageManager, Pm } from './package-managers.js'

/** One consumer app: a row of the suite's table. */
export interface Scenario {
  /** Stable id, also the app's folder name: `fastmcp-npm-pin`. */
  id: string
  /** What the row is, in the words: `fastmcp 4.20.16 + app pins sdk 1.24.0 (npm)`. */
  row: string
  pm: Pm
  /** Exact versions. */
  dependencies: Record<string, string>
  /** More package.json fields and files: the overrides the README shows. */
  fields?: Record<string, unknown>
  files?: Record<string, string>
  /** The package whose copies the row is about (`verify --from`); the app itself when absent. */
  framework?: string
  /** SDK copies bundled into a package's files, known from that package's published tarball: host name -> SDK release. */
  bundles?: Record<string, string>
  /**
   * Set the app up the README's way first (`<pm> add -D <tarball>`, then `<pm> run postinstall`), then remove
   * node_modules so the row's install is the next fresh one (a CI run, a colleague's clone).
   */
  readmeSetup?: true
  /** Steps of its own, after the common ones. */
  extra?(ctx: ScenarioContext): Promise<void>
}

export interface Step {
  name: string
  ok: boolean
  ms: number
  detail?: string
}

/** What the common part of a scenario learned, for its own steps. */
export interface ScenarioContext {
  dir: string
  /** A folder for another app the scenario installs (e.g. one on an unsupported SDK), removed with the scenario's own. */
  sibling(name: string): string
  tarball: string
  pm: PackageManager
  install: RunResult
  found: FoundCopy[]
  step(name: string, ok: boolean, ms: number, detail?: string): boolean
}

/** One row's outcome, as `--json` writes it. */
export interface RowResult {
  id: string
  row: string
  pm: string
  framework?: string
  /** What the manifest predicts: `green` when every copy the install holds is one this release patches. */
  expected: 'green' | 'failed-install'
  /** What the user saw: the install's exit code decides. */
  verdict: 'green' | 'failed-install'
  install: { code: number; ms: number; messages: string[] }
  /** Copies found by the suite's own plain walk. */
  found: FoundCopy[]
  /** Copies as `mcp-sessions-patch status --json` reports them. */
  copies: Array<Pick<CopyStatus, 'kind' | 'package' | 'version' | 'path' | 'coverage' | 'ok'> & { loadedBy: string[] }>
  /** Copies as `verify --json [--from <framework>]` exercised them. */
  verified: Array<Pick<CopyVerification, 'package' | 'version' | 'path' | 'coverage' | 'checkedFrom' | 'ok'> & { outcomes: Record<string, string> }>
  /** The 404 demo run from the folder of the package that loads each copy. */
  demos: Array<DemoResult & { package: string; from: string; copy: string }>
  steps: Step[]
  ok: boolean
  ms: number
}
