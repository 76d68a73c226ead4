/**
 * The interop project's records, one JSON file per server x suite version and
 * per foreign client under .cache/interop/records/ (global-setup.ts empties
 * the folder at the start of a run). packages/tools/src/interop-table.ts merges
 * them into .cache/interop-report.json and renders the README tables from it,
 * so the tables show what the tests saw.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { ScenarioResult } from './conformance.js'

export const recordsDir = join(import.meta.dirname, '..', '..', '..', '.cache', 'interop', 'records')

export interface ConformanceRecord {
  /** Slug of the server or client under test, e.g. `quick-start`. */
  target: string
  name: string
  mode: 'server' | 'client'
  version: string
  results: ScenarioResult[]
}

/** One step of a foreign client's run: what the server answered, and what the client did with it. */
export interface ClientStep {
  step: string
  /** What the server sent, as captured by the recording proxy (status, content type, JSON-RPC error code / data.code). */
  server: string
  /** What the client made of it: a result, an error message, or nothing. */
  client: string
  ok: boolean
}

export interface ClientRecord {
  client: string
  package: string
  /** How the package is used when one package has several rows (the v1 SDK as published, or patched). */
  variant?: string
  version: string
  node: string
  steps: ClientStep[]
  /** Every exchange the recording proxy saw, in order. */
  wire: string[]
  /** One-line verdicts for the compatibility table. */
  works: string
  onExpiry: string
  /** Client-side quirks met on the way, worth a line in the README. */
  notes?: string[]
}

function write(name: string, value: unknown): void {
  mkdirSync(recordsDir, { recursive: true })
  writeFileSync(join(recordsDir, `${name}.json`), JSON.stringify(value, null, 2) + '\n')
}

/** Saves one server's (or the client's) results for one suite version. */
export function recordConformance(record: ConformanceRecord): void {
  // Checks carry large `details` (bodies, headers); the record keeps what the table and a reader need.
  const results = record.results.map(r => ({ ...r, checks: r.checks.map(({ id, status, errorMessage }) => ({ id, status, ...(errorMessage ? { errorMessage } : {}) })) }))
  write(`conformance-${record.mode}-${record.target}-${record.version}`, { ...record, results })
}

/** Saves what one foreign client did. */
export function recordClient(record: ClientRecord): void {
  write(`client-${record.client}`, record)
}
