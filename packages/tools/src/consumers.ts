/**
 * The patch set as users consume it: `npm pack`s @mcp-sessions/patches (its
 * prepack copies patches/ in) and installs the tarball into fresh throw-away
 * apps, one per package manager, each pinned to a supported SDK version, each
 * with `"postinstall": "mcp-sessions-patch apply"`. Then in each app:
 * `mcp-sessions-patch verify`, a tiny demo script (404 clears the session id;
 * a server transport continues a session from `{ session }`), a second install
 * (the postinstall must change nothing), an app on an unsupported SDK version
 * (its install must fail), and for pnpm and bun a check that the machine-wide
 * store still holds the SDK as published.
 *
 *   npm run consumers              all four package managers, and the v2 apps (consumers/v2-apps.ts)
 *   npm run consumers -- pnpm bun  some of them
 *   npm run consumers -- v2        only the v2 apps (or one by name: client-2.4.0, node-2.1.2, fastmcp-4.20.16)
 *   npm run consumers -- --keep    keep the apps (their folder is printed)
 *
 * Package managers come from the npm registry (pinned below) into
 * .cache/pm; their stores live in .cache/consumers so reruns are quick.
 */
import { spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { filesInPatch, fixStates, patchFiles, readManifest } from '@mcp-sessions/patches'
import { V2_CONSUMERS, type V2ConsumerApp } from './consumers/v2-apps.js'
import { cacheRoot, repoRoot } from './paths.js'

type Pm = 'npm' | 'pnpm' | 'yarn' | 'bun'

/** Versions of the package managers, installed from the npm registry. */
const PM_PACKAGES = { pnpm: 'pnpm@12.21.0', yarn: '@yarnpkg/cli-dist@4.18.1', bun: 'bun@1.4.5' } as const

/** One SDK version per package manager; every supported line is covered, one twice. */
const CONSUMERS: Array<{ pm: Pm; sdk: string }> = [
  { pm: 'npm', sdk: '1.24.3' },
  { pm: 'pnpm', sdk: '1.27.1' },
  { pm: 'yarn', sdk: '1.32.2' },
  { pm: 'bun', sdk: '1.27.1' }
]

const pmRoot = join(cacheRoot, 'pm')
const storeRoot = join(cacheRoot, 'consumers')

interface Step {
  name: string
  ok: boolean
  ms: number
  detail?: string
}

interface RunResult {
  code: number
  output: string
  ms: number
}

/** The environment for a package manager: without `npm run`'s npm_* variables and without CI (pnpm and yarn freeze the lockfile under CI). */
function pmEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [k, v] of Object.entries(process.env)) if (!/^npm_/i.test(k) && k !== 'CI' && k !== 'INIT_CWD') env[k] = v
  return { ...env, ...extra }
}

function exec(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv, timeoutMs = 300_000): Promise<RunResult> {
  const started = Date.now()
  return new Promise(resolve => {
    const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    child.stdout.on('data', (d: Buffer) => (output += d))
    child.stderr.on('data', (d: Buffer) => (output += d))
    const timer = setTimeout(() => child.kill('SIGTERM'), timeoutMs)
    child.on('error', error => {
      clearTimeout(timer)
      resolve({ code: 127, output: output + String(error), ms: Date.now() - started })
    })
    child.on('close', code => {
      clearTimeout(timer)
      resolve({ code: code ?? 1, output, ms: Date.now() - started })
    })
  })
}

/** Installs pnpm, yarn (berry) and bun from the npm registry into .cache/pm, once. */
async function ensurePackageManagers(): Promise<void> {
  const want = Object.values(PM_PACKAGES).join(' ')
  const stamp = join(pmRoot, '.mcps-stamp')
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === want) return
  rmSync(pmRoot, { recursive: true, force: true })
  mkdirSync(pmRoot, { recursive: true })
  writeFileSync(join(pmRoot, 'package.json'), '{ "private": true }\n')
  const r = await exec('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', ...Object.values(PM_PACKAGES)], pmRoot, pmEnv())
  if (r.code !== 0) throw new Error(`[mcp-sessions] Failed to install the package managers (${want}) into ${pmRoot}:\n${r.output}`)
  writeFileSync(stamp, want)
}

/** How to run each package manager: the command, and its arguments for install and for running a script. */
function pmCommand(pm: Pm): { cmd: string; pre: string[]; version: string } {
  const bin = join(pmRoot, 'node_modules')
  switch (pm) {
    case 'npm':
      return { cmd: 'npm', pre: [], version: '' }
    case 'pnpm':
      return { cmd: process.execPath, pre: [join(bin, 'pnpm', 'bin', 'pnpm.mjs')], version: PM_PACKAGES.pnpm }
    case 'yarn':
      return { cmd: process.execPath, pre: [join(bin, '@yarnpkg', 'cli-dist', 'bin', 'yarn.js')], version: PM_PACKAGES.yarn }
    case 'bun':
      return { cmd: join(bin, '.bin', 'bun'), pre: [], version: PM_PACKAGES.bun }
  }
}

function installArgs(pm: Pm): string[] {
  switch (pm) {
    case 'npm':
      return ['install', '--no-audit', '--no-fund']
    case 'pnpm':
      return ['install', '--no-frozen-lockfile', '--store-dir', join(storeRoot, 'pnpm-store')]
    case 'yarn':
      return ['install', '--no-immutable']
    case 'bun':
      return ['install']
  }
}

function pmExtraEnv(pm: Pm): Record<string, string> {
  if (pm === 'bun') return { BUN_INSTALL_CACHE_DIR: join(storeRoot, 'bun-cache') }
  if (pm === 'yarn') return { YARN_CACHE_FOLDER: join(storeRoot, 'yarn-cache'), YARN_ENABLE_TELEMETRY: '0' }
  return {}
}

/** The demo a consumer runs: the fixed behaviour, through the app's own imports of the SDK. */
const demo = (hydrate: boolean) => `// Shows the fixed behaviour of the installed SDK, on loopback only.
import { createServer } from 'node:http'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js'

let failed = false
// A server that forgot every session: 404 to any request carrying an id.
const server = createServer((req, res) => {
  req.resume()
  res.writeHead(req.headers['mcp-session-id'] ? 404 : 400, { 'content-type': 'application/json' })
  res.end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32001, message: 'Session not found' }, id: null }))
})
await new Promise((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve))
try {
  const transport = new StreamableHTTPClientTransport(new URL(\`http://127.0.0.1:\${server.address().port}/mcp\`), { sessionId: 'stale-session' })
  await transport.start()
  const error = await transport.send({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} }).then(() => undefined, e => e)
  const cleared = transport.sessionId === undefined
  console.log(\`404 clears the session id: \${cleared ? 'yes' : 'NO, still ' + transport.sessionId} (\${error?.message ?? 'no error'})\`)
  failed ||= !cleared
  await transport.close()
} finally {
  server.closeAllConnections()
  server.close()
}
${
  hydrate
    ? `const continued = new StreamableHTTPServerTransport({
  sessionIdGenerator: () => 'unused',
  session: { sessionId: 'session-from-store', protocolVersion: '2025-06-18', clientInfo: { name: 'demo', version: '1.0.0' }, clientCapabilities: {} }
})
console.log(\`hydrate: a transport built with { session } serves session \${continued.sessionId ?? '(none)'}\`)
failed ||= continued.sessionId !== 'session-from-store'
`
    : `void StreamableHTTPServerTransport
`
}process.exitCode = failed ? 1 : 0
`

function sha(text: Buffer | string): string {
  return createHash('sha256').update(text).digest('hex')
}

/** Every file under `dir` (bounded walk: regular files only, symlinks not followed). */
function* walk(dir: string): Generator<string> {
  if (!existsSync(dir)) return
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) yield join(entry.parentPath, entry.name)
  }
}

/** Store files whose content is a patched file of this app's copy of `pkg`: the store was changed. */
function patchedCopiesInStore(app: string, sdkVersion: string, store: string, pkg = '@modelcontextprotocol/sdk'): string[] {
  const sdkDir = join(app, 'node_modules', ...pkg.split('/'))
  const patched = new Set(
    patchFiles(sdkVersion, undefined, pkg)
      .flatMap(p => filesInPatch(p, pkg))
      .map(f => sha(readFileSync(join(sdkDir, f))))
  )
  const hits: string[] = []
  for (const file of walk(store)) if (patched.has(sha(readFileSync(file)))) hits.push(relative(store, file))
  return hits
}

/** SDK version the patch set does not support: the install must fail, naming the supported ones. */
const UNSUPPORTED_SDK = '1.23.0'

async function writeApp(dir: string, pm: Pm, sdk: string, tarball: string, hydrate: boolean): Promise<void> {
  mkdirSync(dir, { recursive: true })
  const pkg = {
    name: `consumer-${pm}`,
    private: true,
    type: 'module',
    scripts: { postinstall: 'mcp-sessions-patch apply', verify: 'mcp-sessions-patch verify', demo: 'node demo.mjs' },
    dependencies: { '@modelcontextprotocol/sdk': sdk, '@mcp-sessions/patches': `file:${tarball}` }
  }
  writeFileSync(join(dir, 'package.json'), JSON.stringify(pkg, null, 2) + '\n')
  writeFileSync(join(dir, 'demo.mjs'), demo(hydrate))
  if (pm === 'yarn') {
    const registry = (await exec('npm', ['config', 'get', 'registry'], dir, pmEnv())).output.trim().split('\n').pop()
    // patch-package needs a node_modules folder; Plug'n'Play has none.
    writeFileSync(join(dir, '.yarnrc.yml'), `nodeLinker: node-modules\nenableTelemetry: false\nnpmRegistryServer: "${registry}"\n`)
    writeFileSync(join(dir, 'yarn.lock'), '')
  }
}

async function consumer(pm: Pm, sdk: string, tarball: string, root: string, hydrate: boolean): Promise<{ steps: Step[]; dir: string }> {
  const dir = join(root, `${pm}-${sdk}`)
  await writeApp(dir, pm, sdk, tarball, hydrate)
  const { cmd, pre } = pmCommand(pm)
  const env = pmEnv(pmExtraEnv(pm))
  const steps: Step[] = []
  const step = (name: string, r: RunResult, ok: boolean, detail?: string) => {
    steps.push({ name, ok, ms: r.ms, detail: ok ? detail : `${detail ? detail + '\n' : ''}${r.output.trim().split('\n').slice(-25).join('\n')}` })
    return ok
  }

  const cli = (command: string) => exec(process.execPath, [join(dir, 'node_modules', '@mcp-sessions', 'patches', 'bin', 'mcp-sessions-patch.js'), command], dir, env)
  const install = await exec(cmd, [...pre, ...installArgs(pm)], dir, env)
  // yarn keeps a successful postinstall's output in a build log, so ask status what it did.
  const status = install.code === 0 ? await cli('status') : install
  const appliedLine = /\[mcp-sessions\] @modelcontextprotocol\/sdk [^\n]*/.exec(install.output)?.[0] ?? `status: ${status.output.match(/^\s+applied\s+\S+/gm)?.map(l => l.trim().split(/\s+/)[1]).join(', ')} applied`
  if (!step('install (postinstall applies)', { ...install, ms: install.ms }, install.code === 0 && status.code === 0, appliedLine)) return { steps, dir }

  const verify = await exec(cmd, [...pre, 'run', 'verify'], dir, env)
  step('mcp-sessions-patch verify', verify, verify.code === 0 && /verified: every fix/.test(verify.output), verify.output.match(/^\s+(fixed|not-affected|unchecked)\s+\S+/gm)?.map(l => l.trim().replace(/\s+/, ' ')).join(', '))

  const shown = await exec(cmd, [...pre, 'run', 'demo'], dir, env)
  step('demo script', shown, shown.code === 0 && /404 clears the session id: yes/.test(shown.output), shown.output.match(/^(404 clears|hydrate:).*$/gm)?.join('; '))

  const again = await exec(cmd, [...pre, ...installArgs(pm)], dir, env)
  const after = again.code === 0 ? await cli('status') : again
  step('second install keeps the fixes', { ...again, output: again.output + after.output }, again.code === 0 && after.code === 0)
  const reapply = await exec(cmd, [...pre, 'run', 'postinstall'], dir, env)
  step('postinstall again changes nothing', reapply, reapply.code === 0 && /already patched/.test(reapply.output))

  // A postinstall that fails must fail the install; yarn keeps the message in its build log and reports YN0009.
  const bad = join(root, `${pm}-${UNSUPPORTED_SDK}`)
  await writeApp(bad, pm, UNSUPPORTED_SDK, tarball, hydrate)
  const refused = await exec(cmd, [...pre, ...installArgs(pm)], bad, env)
  step(`SDK ${UNSUPPORTED_SDK} (unsupported) fails the install`, refused, refused.code !== 0 && (pm === 'yarn' ? /YN0009/ : /is not supported/).test(refused.output))

  if (pm === 'pnpm' || pm === 'bun') {
    const store = pm === 'pnpm' ? join(storeRoot, 'pnpm-store') : join(storeRoot, 'bun-cache')
    const started = Date.now()
    const hits = patchedCopiesInStore(dir, sdk, store)
    steps.push({ name: 'store left as published', ok: hits.length === 0, ms: Date.now() - started, detail: hits.length ? `patched files in the store: ${hits.slice(0, 5).join(', ')}` : undefined })
  }
  return { steps, dir }
}

/** One v2 app (consumers/v2-apps.ts): install (postinstall applies), verify, the demo, and for pnpm the store. */
async function v2Consumer(app: V2ConsumerApp, tarball: string, root: string): Promise<{ steps: Step[]; dir: string }> {
  const dir = join(root, `v2-${app.name}`)
  mkdirSync(dir, { recursive: true })
  const pkg = { name: `consumer-${app.name}`, private: true, type: 'module', scripts: { postinstall: 'mcp-sessions-patch apply' }, dependencies: { ...app.dependencies, '@mcp-sessions/patches': `file:${tarball}` } }
  writeFileSync(join(dir, 'package.json'), JSON.stringify(pkg, null, 2) + '\n')
  if (app.demo) writeFileSync(join(dir, 'demo.mjs'), app.demo)
  const { cmd, pre } = pmCommand(app.pm)
  const env = pmEnv(pmExtraEnv(app.pm))
  const steps: Step[] = []
  const step = (name: string, r: RunResult, ok: boolean, detail?: string) => {
    steps.push({ name, ok, ms: r.ms, detail: ok ? detail : `${detail ? detail + '\n' : ''}${r.output.trim().split('\n').slice(-25).join('\n')}` })
    return ok
  }
  const cli = (...args: string[]) => exec(process.execPath, [join(dir, 'node_modules', '@mcp-sessions', 'patches', 'bin', 'mcp-sessions-patch.js'), ...args], dir, env)
  const install = await exec(cmd, [...pre, ...installArgs(app.pm)], dir, env)
  const status = install.code === 0 ? await cli('status') : install
  const applied = install.output.match(/\[mcp-sessions\] @modelcontextprotocol\/(client|server) [^\n]*applied[^\n]*/g)?.map(l => l.replace('[mcp-sessions] ', '').replace(/ at node_modules\S* \([^)]*\)/, '')).join('; ')
  if (!step('install (postinstall applies)', install, install.code === 0 && status.code === 0, applied)) return { steps, dir }

  const verify = await cli('verify', ...app.verify, '--json')
  let report: { copies?: Array<{ package: string; version: string; ok: boolean; fixes: Array<{ slug: string; outcome: string }> }> } = {}
  try {
    report = JSON.parse(verify.output.slice(verify.output.indexOf('{')))
  } catch {}
  const ok = (label: string) => report.copies?.some(c => `${c.package} ${c.version}` === label && c.ok && c.fixes.some(f => f.outcome === 'fixed'))
  const fixed = app.verified.map(label => `${label}: ${report.copies?.find(c => `${c.package} ${c.version}` === label)?.fixes.filter(f => f.outcome === 'fixed').map(f => f.slug).join(', ')}`)
  step(`mcp-sessions-patch verify ${app.verify.join(' ')}`.trim(), verify, verify.code === 0 && app.verified.every(ok), fixed.join('; '))

  if (app.demo) {
    const shown = await exec(process.execPath, ['demo.mjs'], dir, env)
    step('demo script', shown, shown.code === 0 && app.shows.every(re => re.test(shown.output)), shown.output.trim().split('\n').join('; '))
  }
  if (app.pm === 'pnpm') {
    const started = Date.now()
    const hits = Object.entries(app.dependencies)
      .filter(([name]) => patchFiles(app.dependencies[name]!, undefined, name).length)
      .flatMap(([name, version]) => patchedCopiesInStore(dir, version, join(storeRoot, 'pnpm-store'), name))
    steps.push({ name: 'store left as published', ok: hits.length === 0, ms: Date.now() - started, detail: hits.length ? `patched files in the store: ${hits.slice(0, 5).join(', ')}` : undefined })
  }
  return { steps, dir }
}

/**
 * Runs `npm pack` (and so the package's real prepack) on a copy of the
 * package laid out as in the repository. Packing in place would leave
 * packages/patches/patches behind, which the in-repo CLI then prefers over the
 * canonical patches/, and would race tests that run the CLI meanwhile.
 */
async function pack(root: string): Promise<RunResult> {
  const stage = join(root, 'stage')
  const pkg = join(stage, 'packages', 'patches')
  for (const entry of ['package.json', 'tsconfig.json', 'src', 'bin']) cpSync(join(repoRoot, 'packages', 'patches', entry), join(pkg, entry), { recursive: true })
  cpSync(join(repoRoot, 'patches'), join(stage, 'patches'), { recursive: true })
  cpSync(join(repoRoot, 'README.md'), join(stage, 'README.md'))
  symlinkSync(join(repoRoot, 'node_modules'), join(stage, 'node_modules'), 'dir')
  return exec('npm', ['pack', '--json', '--pack-destination', root], pkg, pmEnv())
}

async function main(): Promise<number> {
  const args = process.argv.slice(2)
  const keep = args.includes('--keep')
  const only = args.filter(a => !a.startsWith('--'))
  const unknown = only.filter(a => a !== 'v2' && !CONSUMERS.some(c => c.pm === a) && !V2_CONSUMERS.some(c => c.name === a))
  if (unknown.length) {
    console.error(`[mcp-sessions] Unknown package manager or app ${unknown.join(', ')}. Choose from: ${CONSUMERS.map(c => c.pm).join(', ')}, v2, ${V2_CONSUMERS.map(c => c.name).join(', ')}.`)
    return 2
  }
  const selected = CONSUMERS.filter(c => !only.length || only.includes(c.pm))
  const selectedV2 = V2_CONSUMERS.filter(c => !only.length || only.includes('v2') || only.includes(c.name))
  const manifest = readManifest()
  const missing = selected.filter(c => !fixStates(manifest, c.sdk))
  if (missing.length) {
    console.error(`[mcp-sessions] patches/manifest.json has no patches for ${missing.map(c => `${c.sdk} (${c.pm})`).join(', ')}. Run npm run patches:build.`)
    return 1
  }
  const hydrate = manifest.fixes.some(f => f.slug === '1658-hydrate')
  const t0 = Date.now()

  console.log('== package managers (from the npm registry, cached in .cache/pm)')
  await ensurePackageManagers()
  const tPm = Date.now()

  const root = mkdtempSync(join(tmpdir(), 'mcps-consumers-'))
  const packed = await pack(root)
  const filename = packed.code === 0 ? (JSON.parse(packed.output.slice(packed.output.indexOf('['))) as Array<{ filename: string }>)[0]?.filename : undefined
  if (!filename) {
    console.error(`[mcp-sessions] Failed to npm pack packages/patches:\n${packed.output}`)
    return 1
  }
  const tarball = join(root, filename)
  console.log(`== packed ${filename} in ${(packed.ms / 1000).toFixed(1)} s`)

  const results: Array<{ pm: Pm; sdk: string; version: string; steps: Step[]; dir: string }> = []
  const pmVersion = async (pm: Pm, dir: string) => (pm === 'npm' ? `npm@${(await exec('npm', ['--version'], dir, pmEnv())).output.trim()}` : pmCommand(pm).version)
  // Two at a time: these machines have two cores, and installs mostly wait on the network.
  const queue: Array<() => Promise<void>> = [
    ...selected.map(c => async () => {
      const { steps, dir } = await consumer(c.pm, c.sdk, tarball, root, hydrate)
      results.push({ pm: c.pm, sdk: c.sdk, version: await pmVersion(c.pm, dir), steps, dir })
    }),
    ...selectedV2.map(app => async () => {
      const { steps, dir } = await v2Consumer(app, tarball, root)
      results.push({ pm: app.pm, sdk: app.name, version: await pmVersion(app.pm, dir), steps, dir })
    })
  ]
  await Promise.all(
    [0, 1].map(async () => {
      for (let job = queue.shift(); job; job = queue.shift()) await job()
    })
  )

  let ok = true
  console.log('\n| package manager | SDK | step | result | time |\n|---|---|---|---|---|')
  const rows = (r: (typeof results)[number]) => {
    for (const s of r.steps) {
      ok &&= s.ok
      console.log(`| ${r.version} | ${r.sdk} | ${s.name} | ${s.ok ? 'pass' : 'FAIL'}${s.ok && s.detail ? `: ${s.detail}` : ''} | ${(s.ms / 1000).toFixed(1)} s |`)
    }
  }
  for (const c of selected) {
    const r = results.find(x => x.pm === c.pm && x.sdk === c.sdk)!
    rows(r)
    if (r.steps.length < (c.pm === 'pnpm' || c.pm === 'bun' ? 7 : 6)) ok = false
  }
  for (const app of selectedV2) {
    const r = results.find(x => x.sdk === app.name)!
    rows(r)
    if (r.steps.length < 2 + (app.demo ? 1 : 0) + (app.pm === 'pnpm' ? 1 : 0)) ok = false
  }
  for (const r of results) for (const s of r.steps) if (!s.ok) console.error(`\n[mcp-sessions] ${r.version}, SDK ${r.sdk}: ${s.name} failed\n${s.detail ?? ''}`)
  console.log(`\nconsumers: ${selected.length + selectedV2.length} apps in ${((Date.now() - t0) / 1000).toFixed(1)} s (package managers ready after ${((tPm - t0) / 1000).toFixed(1)} s)`)
  if (keep) console.log(`apps kept in ${root}`)
  else rmSync(root, { recursive: true, force: true })
  return ok ? 0 : 1
}

process.exitCode = await main()
