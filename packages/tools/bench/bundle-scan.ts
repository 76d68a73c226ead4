/**
 * Benchmark: what the v2 fingerprints cost the bundle scan. Each round reads
 * a fingerprints file and runs `findCopies` on one app (the walk and the
 * bundle scan that `apply`, `status` and `verify` start with), as one CLI run
 * does: once with patches/fingerprints.json as committed, once with its v1
 * SDK entry alone, alternating; prints medians and the ratio.
 *
 *   npx tsx --conditions=mcps-source packages/tools/bench/bundle-scan.ts [--app <dir>] [--rounds 15]
 *
 * Without `--app` it installs, once, into .cache/bench/scan-app (npm, scripts
 * off): fastmcp 4.20.16 (which brings mcp-proxy 6.7.19 on the v2 packages),
 * mcp-proxy 6.4.4 (SDK 1.27.1 bundled into its files) and
 * @modelcontextprotocol/sdk 1.32.2. Both mcp-proxy releases name the session
 * header, so their files are scored against every fingerprinted package.
 */
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { findCopies, type Fingerprints } from '@mcp-sessions/patches'
import { cacheRoot, patchesRoot } from '../src/paths.js'
import { SDK_PACKAGE } from '../src/versions.js'

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`)
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback
}

/** The default app, installed on first use. */
function scanApp(): string {
  const dir = join(cacheRoot, 'bench', 'scan-app')
  if (existsSync(join(dir, 'node_modules', 'mcp-proxy', 'package.json'))) return dir
  mkdirSync(dir, { recursive: true })
  const dependencies = { fastmcp: '4.20.16', 'mcp-proxy': '6.4.4', [SDK_PACKAGE]: '1.32.2' }
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'scan-app', version: '1.0.0', private: true, dependencies }, null, 2))
  execFileSync('npm', ['install', '--ignore-scripts', '--no-audit', '--no-fund', '--silent'], { cwd: dir, stdio: 'inherit' })
  return dir
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

function main(): void {
  const app = arg('app', '') || scanApp()
  const rounds = Number(arg('rounds', '15'))
  const file = readFileSync(join(patchesRoot, 'fingerprints.json'), 'utf8')
  const parsed = JSON.parse(file) as Fingerprints
  // Both compact, so the figures compare what is in them, not the committed file's line breaks.
  const variants = { 'with v2': JSON.stringify(parsed), 'v1 only': JSON.stringify({ schema: parsed.schema, packages: { [SDK_PACKAGE]: parsed.packages[SDK_PACKAGE] } }) }
  const times: Record<string, number[]> = { 'with v2': [], 'v1 only': [] }
  let found: Record<string, string> = {}
  for (let round = -1; round < rounds; round++) {
    for (const [name, text] of Object.entries(variants)) {
      const started = performance.now()
      const { copies } = findCopies(app, { fingerprints: JSON.parse(text) as Fingerprints })
      const ms = performance.now() - started
      if (round >= 0) times[name]!.push(ms) // round -1 warms the file cache
      found = { ...found, [name]: copies.map(c => `${c.package} ${c.version} (${c.kind})`).join(', ') }
    }
  }
  console.log(`app: ${app}, ${rounds} rounds each; patches/fingerprints.json ${(file.length / 1024).toFixed(0)} KiB as committed`)
  for (const [name, text] of Object.entries(variants)) {
    console.log(`${name.padEnd(8)} fingerprints ${(text.length / 1024).toFixed(0)} KiB compact, median ${median(times[name]!).toFixed(1)} ms, min ${Math.min(...times[name]!).toFixed(1)} ms; found: ${found[name]}`)
  }
  const ratios = times['with v2']!.map((t, i) => t / times['v1 only']![i]!)
  console.log(`ratio with v2 / v1 only, per round: median ${median(ratios).toFixed(3)}`)
}

main()
