/**
 * The patch set as users consume it: `npm pack`s @mcp-sessions/patches (its
 * prepack builds it and copies patches/ in) and installs the tarball into
 * fresh throw-away apps, each with `"postinstall": "mcp-sessions-patch apply"`:
 * the SDK alone under npm, pnpm, yarn (berry) and bun, and apps that get the
 * SDK through a framework (fastmcp, inspector-cli, mcp-proxy), pinned or not,
 * with overrides, with a bundled copy, with the v2 packages. Each app is a row
 * (packages/tools/src/consumers/scenarios/, one file each); each row checks
 * what its user sees against what the manifest predicts, and none may be
 * green while unpatched code runs (consumers/run-scenario.ts).
 *
 *   npm run consumers                        every app
 *   npm run consumers -- pnpm fastmcp-npm    some (by package manager or id)
 *   npm run consumers -- --json out.json     the rows as JSON too
 *   npm run consumers -- --keep              keep the apps (their folder is printed)
 *
 * Package managers come from the npm registry (pinned) into .cache/pm; their
 * stores and caches live in .cache/consumers, so reruns are quick.
 */
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { readManifest } from '@mcp-sessions/patches'
import { inParallel } from './consumers/exec.js'
import { packPatches } from './consumers/pack.js'
import { ensurePackageManagers } from './consumers/package-managers.js'
import { printRows } from './consumers/report.js'
import { runScenario } from './consumers/run-scenario.js'
import { scenarios } from './consumers/scenarios/index.js'

/**
 * Apps installed at once. Installs mostly wait on the registry and the disk; measured on two busy cores, 4 at a
 * time ran the 16 apps in the least wall time (see the README's consumers figures).
 */
const JOBS = Number(process.env.MCPS_CONSUMERS_JOBS ?? 4)

async function main(): Promise<number> {
  const args = process.argv.slice(2)
  const keep = args.includes('--keep')
  const jsonAt = args.indexOf('--json')
  const jsonFile = jsonAt === -1 ? undefined : args[jsonAt + 1]
  const only = args.filter((a, i) => !a.startsWith('--') && (jsonAt === -1 || i !== jsonAt + 1))
  const unknown = only.filter(a => !scenarios.some(s => s.id === a || s.pm === a))
  if (unknown.length || (jsonAt !== -1 && !jsonFile)) {
    console.error(`[mcp-sessions] Unknown app or package manager ${unknown.join(', ') || '(--json needs a file)'}. Choose from: ${scenarios.map(s => s.id).join(', ')}, or npm, pnpm, yarn, bun.`)
    return 2
  }
  const selected = scenarios.filter(s => !only.length || only.includes(s.id) || only.includes(s.pm))
  const manifest = readManifest()
  const t0 = Date.now()
  await ensurePackageManagers()
  const tPm = Date.now()
  const root = mkdtempSync(join(tmpdir(), 'mcps-consumers-'))
  try {
    const { tarball, ms } = await packPatches(root)
    console.log(`== packed ${tarball} in ${(ms / 1000).toFixed(1)} s; ${selected.length} apps, ${JOBS} at a time`)
    const rows = await inParallel(
      JOBS,
      selected.map(s => async () => {
        const row = await runScenario(s, root, tarball, manifest)
        console.log(`   ${row.ok ? 'ok  ' : 'FAIL'} ${row.id} (${(row.ms / 1000).toFixed(1)} s)`)
        // Removing an app's node_modules takes seconds; done now, it overlaps the installs still running.
        if (!keep) for (const name of readdirSync(root).filter(n => n === s.id || n.startsWith(`${s.id}--`))) await rm(join(root, name), { recursive: true, force: true })
        return row
      })
    )
    printRows(rows)
    const wall = Date.now() - t0
    console.log(`\nconsumers: ${rows.length} apps in ${(wall / 1000).toFixed(1)} s (package managers ready after ${((tPm - t0) / 1000).toFixed(1)} s)`)
    if (jsonFile) writeFileSync(resolve(jsonFile), JSON.stringify({ wallMs: wall, jobs: JOBS, rows }, null, 2) + '\n')
    if (keep) console.log(`apps kept in ${root}`)
    return rows.every(r => r.ok) && rows.length === selected.length ? 0 : 1
  } finally {
    if (!keep) rmSync(root, { recursive: true, force: true })
  }
}

process.exitCode = await main()
