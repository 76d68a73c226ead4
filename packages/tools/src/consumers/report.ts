import type { RowResult } from './scenario.js'

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`

/** The rows as the issue's table: app, what runs, what the user sees; then every step. */
export function printRows(rows: RowResult[]): void {
  console.log('\n| app | copies (status) | install | verify | 404 demo from the loading package | row |\n|---|---|---|---|---|---|')
  for (const r of rows) {
    const copies = r.copies.map(c => `${c.package.replace('@modelcontextprotocol/', '')} ${c.version}${c.kind === 'bundled' ? ` bundled in ${c.path}` : ''}: ${c.ok ? 'patched' : c.coverage}`).join('; ')
    const verify = r.verified.map(v => `${v.package.replace('@modelcontextprotocol/', '')} ${v.version}: ${v.ok ? 'ok' : 'FAIL'}`).join('; ')
    const demos = [...new Set(r.demos.map(d => `${d.package.replace('@modelcontextprotocol/', '')} ${d.cleared ? 'cleared' : 'kept'}`))].join('; ') || '-'
    const install = r.install.code === 0 ? 'passes' : `fails (exit ${r.install.code})`
    console.log(`| ${r.row} | ${copies || '-'} | ${install} | ${verify || '-'} | ${demos} | ${r.ok ? (r.verdict === 'green' ? 'green' : 'failed install, as it must') : 'SUITE FAIL'} |`)
  }
  console.log('\n| app | step | result | time |\n|---|---|---|---|')
  for (const r of rows) for (const s of r.steps) console.log(`| ${r.id} (${r.pm}) | ${s.name} | ${s.ok ? 'pass' : 'FAIL'}${s.ok && s.detail ? `: ${s.detail.split('\n')[0]}` : ''} | ${seconds(s.ms)} |`)
  for (const r of rows) for (const s of r.steps) if (!s.ok) console.error(`\n[mcp-sessions] ${r.id} (${r.pm}): ${s.name} failed\n${s.detail ?? ''}`)
}
