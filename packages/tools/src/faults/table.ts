import { total } from './ledger.js'
import type { ScenarioResult } from './scenario.js'

/**
 * The fault issue's table, one row per fault and client flavour, plus the
 * diagnostics that explain it (fresh GETs = GET requests without
 * Last-Event-ID after the client's first stream; two GETs = sessions that
 * held two standalone GET streams at once).
 *
 * @example
 * console.log(faultTable([await runScenario({ fault: 'cuts' })]))
 */
export function faultTable(results: ScenarioResult[]): string {
  const lines = [
    '| run | client | calls ok / failed | notifications sent / lost / delivered twice | streamed parts sent / lost / twice | not produced (killed node) | fresh GETs after the first | sessions with 2 GET streams | GET stream given up |',
    '|---|---|---|---|---|---|---|---|---|'
  ]
  for (const result of results) {
    for (const row of result.rows) {
      const notProduced = total(row.ticks.notProduced) + total(row.parts.notProduced)
      lines.push(`| ${result.label} | ${row.flavour} (${row.clients}) | ${row.calls.ok} / ${row.calls.failed} | ${row.ticks.sent} / ${row.ticks.lost} / ${row.ticks.twice} | ${row.parts.sent} / ${row.parts.lost} / ${row.parts.twice} | ${notProduced} | ${row.freshGets} | ${result.doubledGetSessions[row.flavour] ?? 0} | ${row.gaveUp} |`)
    }
  }
  return lines.join('\n')
}

/**
 * One line per run: losses by client kind, the balancer's view, the fault's target, the reasons calls failed.
 *
 * @example
 * console.log(faultNotes(results))
 */
export function faultNotes(results: ScenarioResult[]): string {
  return results.map(r => {
    const statuses = Object.entries(r.haproxy.byStatus).filter(([s]) => Number(s) >= 500 || Number(s) < 0).map(([s, n]) => `${s}: ${n}`).join(', ')
    const errors = r.rows.map(row => `${row.flavour}: ${Object.entries(row.errors).sort((a, b) => b[1] - a[1]).slice(0, 3).map(([e, n]) => `${n}x ${e}`).join('; ') || 'none'}`).join(' | ')
    const dropped = r.rows.map(row => `${row.flavour} ${row.resultsDropped}`).join(', ')
    const apart = r.rows.map(row => `${row.flavour} ${row.parts.cancelled} cancelled, ${row.parts.orphaned} orphaned`).join(', ')
    const kinds = r.rows.map(row => `${row.flavour} ${Object.entries(row.byKind).map(([kind, k]) => `${kind} ${k.ticks.lost}/${k.ticks.sent} (${percent(k.ticks.lost, k.ticks.sent)}) twice ${k.ticks.twice}, parts ${k.parts.lost}/${k.parts.sent}`).join(', ')}`).join(' | ')
    return `- ${r.label}: ${(r.durationMs / 1000).toFixed(0)} s; notifications lost by client kind: ${kinds}; haproxy ${r.haproxy.requests} requests, ${r.haproxy.cuts} streams cut by timeout server, at most ${r.getsPerSession.most} GETs by one session, 5xx ${statuses || 'none'}` +
      `${r.target ? `; target ${r.target}` : ''}${r.exitMs !== undefined ? `, exited ${r.exitMs} ms after SIGTERM` : ''}; results computed but not received: ${dropped}; parts counted apart: ${apart}; call failures: ${errors}`
  }).join('\n')
}

const percent = (part: number, whole: number) => whole ? `${(100 * part / whole).toFixed(1)}%` : '-'
