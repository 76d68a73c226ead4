/**
 * Benchmark: what the patch set costs a server. Requests per second of the
 * same session workload on the plain and the patched matrix cell of an SDK
 * version, measured in one run with alternating rounds; prints medians and
 * the ratio patched/plain.
 *
 *   npm run matrix -- install            # once: provides .matrix/<v>/{plain,patched}
 *   npx tsx packages/tools/bench/patch-overhead.ts [--seconds 2] [--rounds 12] [--sessions 20] [--connections 8] [--versions 1.32.2,1.27.1]
 *   npx tsx packages/tools/bench/patch-overhead.ts --interleaved [--pairs 60] [--batch 200] [--aa]
 *
 * `--aa` runs plain against plain: the spread of that ratio around 1.000 is the
 * noise floor; a patched/plain ratio inside it shows no measurable cost.
 *
 * Workload: the SDK README's sessions-map server (tests/helpers/sessions-app.ts,
 * the one the socket guards use) behind node:http, each variant in its own
 * process; this process is the loopback client: `--sessions` sessions are
 * initialized, then `--connections` keep-alive connections send tools/call
 * (SSE responses) round-robin over the sessions as fast as they are answered.
 * Single figures drift by up to 30% on shared machines: read the ratio.
 */
import { fork, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { existsSync } from 'node:fs'
import { Agent, createServer, request } from 'node:http'
import type { AddressInfo } from 'node:net'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { loadSessionSdk, sessionsApp } from '../../../tests/helpers/sessions-app.js'

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..')
const PROTOCOL = '2025-06-18'

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`)
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback
}

// ------------------------------------------------------------ server process

async function serve(cell: string): Promise<void> {
  const dist = join(cell, 'node_modules', '@modelcontextprotocol', 'sdk', 'dist', 'esm')
  const sdk = await loadSessionSdk(path => import(pathToFileURL(join(dist, path)).href))
  const app = sessionsApp(sdk, { kind: 'node' })
  const server = createServer(app.handler)
  server.keepAliveTimeout = 60_000
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  process.on('message', () => {
    const { user, system } = process.cpuUsage()
    process.send!({ cpu: user + system })
  })
  process.send!({ port: (server.address() as AddressInfo).port })
}

// ------------------------------------------------------------ client (this process)

interface Target {
  version: string
  variant: 'plain' | 'patched'
  child: ChildProcess
  port: number
  agent: Agent
  sessions: string[]
}

function post(t: Target, body: unknown, sessionId?: string): Promise<{ status: number; headers: Record<string, unknown>; text: string }> {
  const data = JSON.stringify(body)
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: t.port,
        path: '/mcp',
        method: 'POST',
        agent: t.agent,
        headers: {
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          'content-length': Buffer.byteLength(data),
          ...(sessionId ? { 'mcp-session-id': sessionId, 'mcp-protocol-version': PROTOCOL } : {})
        }
      },
      res => {
        let text = ''
        res.setEncoding('utf8')
        res.on('data', c => (text += c))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }))
        res.on('error', reject)
      }
    )
    req.on('error', reject)
    req.end(data)
  })
}

async function start(version: string, variant: 'plain' | 'patched', sessions: number, connections: number): Promise<Target> {
  const cell = join(root, '.matrix', version, variant)
  if (!existsSync(join(cell, '.mcps-stamp'))) throw new Error(`[mcp-sessions] Failed to find the matrix cell ${version}-${variant}. Run npm run matrix -- install first.`)
  const child = fork(fileURLToPath(import.meta.url), ['--serve', cell], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  const [message] = (await once(child, 'message')) as [{ port: number }]
  const t: Target = { version, variant, child, port: message.port, agent: new Agent({ keepAlive: true, maxSockets: connections }), sessions: [] }
  for (let i = 0; i < sessions; i++) {
    const init = await post(t, { jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: PROTOCOL, capabilities: {}, clientInfo: { name: 'bench', version: '1.0.0' } } })
    const id = init.headers['mcp-session-id']
    if (init.status !== 200 || typeof id !== 'string') throw new Error(`[mcp-sessions] Failed to start a bench session on ${version}-${variant}: initialize answered ${init.status}.`)
    const ack = await post(t, { jsonrpc: '2.0', method: 'notifications/initialized' }, id)
    if (ack.status !== 202) throw new Error(`[mcp-sessions] Failed to start a bench session on ${version}-${variant}: initialized answered ${ack.status}.`)
    t.sessions.push(id)
  }
  return t
}

/** The server process's CPU time so far, in microseconds. */
async function serverCpu(t: Target): Promise<number> {
  const reply = once(t.child, 'message') as Promise<[{ cpu: number }]>
  t.child.send('cpu')
  return (await reply)[0].cpu
}

/**
 * Drives tools/call for `seconds`. Returns requests per second and the server
 * process's CPU microseconds per request (less sensitive than req/s to other
 * load on the machine). Every answer is checked.
 */
async function drive(t: Target, seconds: number, connections: number): Promise<{ rps: number; cpuPerRequest: number }> {
  const cpuBefore = await serverCpu(t)
  const until = Date.now() + seconds * 1000
  let done = 0
  let next = 0
  const loop = async () => {
    while (Date.now() < until) {
      const n = next++
      const res = await post(t, { jsonrpc: '2.0', id: n, method: 'tools/call', params: { name: 'echo', arguments: {} } }, t.sessions[n % t.sessions.length])
      if (res.status !== 200 || !res.text.includes('"echo"')) throw new Error(`[mcp-sessions] Bench request failed on ${t.version}-${t.variant}: ${res.status} ${res.text.slice(0, 200)}`)
      done++
    }
  }
  const started = Date.now()
  await Promise.all(Array.from({ length: connections }, loop))
  const elapsed = (Date.now() - started) / 1000
  return { rps: done / elapsed, cpuPerRequest: ((await serverCpu(t)) - cpuBefore) / done }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b)
  const m = Math.floor(s.length / 2)
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2
}

async function main(): Promise<void> {
  const seconds = Number(arg('seconds', '2'))
  const rounds = Number(arg('rounds', '12'))
  const sessions = Number(arg('sessions', '20'))
  const connections = Number(arg('connections', '8'))
  const versions = arg('versions', '1.32.2,1.27.1').split(',')
  console.log(`patch overhead: ${versions.join(', ')}; ${sessions} sessions, ${connections} keep-alive connections, ${rounds} rounds of ${seconds} s per cell, node ${process.version}`)

  const targets: Target[] = []
  try {
    for (const version of versions) for (const variant of ['plain', 'patched'] as const) targets.push(await start(version, variant, sessions, connections))
    for (const t of targets) await drive(t, 1, connections) // warm-up: JIT, sockets
    const results = new Map<Target, Array<{ rps: number; cpuPerRequest: number }>>(targets.map(t => [t, []]))
    const ratios = new Map<string, { rps: number[]; cpu: number[] }>(versions.map(v => [v, { rps: [], cpu: [] }]))
    for (let round = 0; round < rounds; round++) {
      for (const version of versions) {
        // Alternate which variant goes first, so drift over time hits both alike;
        // each round's ratio compares two runs made seconds apart.
        const order = round % 2 === 0 ? (['plain', 'patched'] as const) : (['patched', 'plain'] as const)
        const got: Record<string, { rps: number; cpuPerRequest: number }> = {}
        for (const variant of order) {
          const t = targets.find(x => x.version === version && x.variant === variant)!
          got[variant] = await drive(t, seconds, connections)
          results.get(t)!.push(got[variant]!)
        }
        ratios.get(version)!.rps.push(got.patched!.rps / got.plain!.rps)
        ratios.get(version)!.cpu.push(got.patched!.cpuPerRequest / got.plain!.cpuPerRequest)
        console.log(
          `  round ${String(round + 1).padStart(2)} ${version}: plain ${got.plain!.rps.toFixed(0)} req/s ${got.plain!.cpuPerRequest.toFixed(0)} us/req, ` +
            `patched ${got.patched!.rps.toFixed(0)} req/s ${got.patched!.cpuPerRequest.toFixed(0)} us/req`
        )
      }
    }
    console.log('\n| SDK | plain req/s | patched req/s | patched/plain req/s (medians) | patched/plain req/s (per round) | plain server CPU us/req | patched server CPU us/req | patched/plain CPU per req (per round) |')
    console.log('|---|---|---|---|---|---|---|---|')
    for (const version of versions) {
      const of = (variant: 'plain' | 'patched') => results.get(targets.find(t => t.version === version && t.variant === variant)!)!
      const r = ratios.get(version)!
      const plainRps = median(of('plain').map(x => x.rps))
      const patchedRps = median(of('patched').map(x => x.rps))
      console.log(
        `| ${version} | ${plainRps.toFixed(0)} | ${patchedRps.toFixed(0)} | ${(patchedRps / plainRps).toFixed(3)} | ${median(r.rps).toFixed(3)} | ` +
          `${median(of('plain').map(x => x.cpuPerRequest)).toFixed(0)} | ${median(of('patched').map(x => x.cpuPerRequest)).toFixed(0)} | ${median(r.cpu).toFixed(3)} |`
      )
    }
    console.log('\nMedians over rounds. Per-round ratios compare patched and plain measured back to back; their median is shown. Server CPU per request is less sensitive to other load on the machine than req/s.')
  } finally {
    for (const t of targets) {
      t.agent.destroy()
      t.child.kill()
    }
  }
}

/**
 * `--interleaved`: plain and patched servers live in this one process and the
 * client alternates short batches between them (ABBA...), so load from other
 * processes on the machine hits both alike within milliseconds. Reports the
 * median of per-pair ratios of batch throughput.
 */
async function interleaved(): Promise<void> {
  const pairs = Number(arg('pairs', '60'))
  const batch = Number(arg('batch', '200'))
  const sessions = Number(arg('sessions', '20'))
  const connections = Number(arg('connections', '8'))
  const versions = arg('versions', '1.32.2,1.27.1').split(',')
  console.log(`patch overhead${process.argv.includes('--aa') ? ' (A/A: plain vs plain)' : ''}, interleaved in one process: ${versions.join(', ')}; ${pairs} pairs of ${batch}-request batches, ${sessions} sessions, ${connections} keep-alive connections, node ${process.version}`)
  console.log('\n| SDK | plain req/s (median batch) | patched req/s (median batch) | patched/plain (median of pair ratios) | pairs |')
  console.log('|---|---|---|---|---|')
  for (const version of versions) {
    const targets: Target[] = []
    const closers: Array<() => void> = []
    try {
      for (const variant of ['plain', 'patched'] as const) {
        // --aa: both sides plain, to measure the noise floor of this machine.
        const cell = join(root, '.matrix', version, process.argv.includes('--aa') ? 'plain' : variant)
        if (!existsSync(join(cell, '.mcps-stamp'))) throw new Error(`[mcp-sessions] Failed to find the matrix cell ${version}-${variant}. Run npm run matrix -- install first.`)
        const dist = join(cell, 'node_modules', '@modelcontextprotocol', 'sdk', 'dist', 'esm')
        const sdk = await loadSessionSdk(path => import(pathToFileURL(join(dist, path)).href))
        const server = createServer(sessionsApp(sdk, { kind: 'node' }).handler)
        server.keepAliveTimeout = 60_000
        server.listen(0, '127.0.0.1')
        await once(server, 'listening')
        closers.push(() => {
          server.closeAllConnections()
          server.close()
        })
        const t: Target = { version, variant, child: undefined as unknown as ChildProcess, port: (server.address() as AddressInfo).port, agent: new Agent({ keepAlive: true, maxSockets: connections }), sessions: [] }
        for (let i = 0; i < sessions; i++) {
          const init = await post(t, { jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: PROTOCOL, capabilities: {}, clientInfo: { name: 'bench', version: '1.0.0' } } })
          const id = init.headers['mcp-session-id'] as string
          await post(t, { jsonrpc: '2.0', method: 'notifications/initialized' }, id)
          t.sessions.push(id)
        }
        targets.push(t)
      }
      let next = 0
      const run = async (t: Target) => {
        let left = batch
        const loop = async () => {
          while (left-- > 0) {
            const n = next++
            const res = await post(t, { jsonrpc: '2.0', id: n, method: 'tools/call', params: { name: 'echo', arguments: {} } }, t.sessions[n % t.sessions.length])
            if (res.status !== 200 || !res.text.includes('"echo"')) throw new Error(`[mcp-sessions] Bench request failed on ${t.version}-${t.variant}: ${res.status}`)
          }
        }
        const started = process.hrtime.bigint()
        await Promise.all(Array.from({ length: connections }, loop))
        return batch / (Number(process.hrtime.bigint() - started) / 1e9)
      }
      const [plain, patched] = targets as [Target, Target]
      for (let i = 0; i < 10; i++) await run(i % 2 ? plain : patched) // warm-up
      const rps = { plain: [] as number[], patched: [] as number[] }
      const ratios: number[] = []
      for (let i = 0; i < pairs; i++) {
        const first = i % 2 === 0 ? plain : patched
        const second = first === plain ? patched : plain
        const a = await run(first)
        const b = await run(second)
        const p = first === plain ? a : b
        const q = first === plain ? b : a
        rps.plain.push(p)
        rps.patched.push(q)
        ratios.push(q / p)
      }
      console.log(`| ${version} | ${median(rps.plain).toFixed(0)} | ${median(rps.patched).toFixed(0)} | ${median(ratios).toFixed(3)} | ${pairs} |`)
    } finally {
      for (const t of targets) t.agent.destroy()
      for (const close of closers) close()
    }
  }
}

if (process.argv.includes('--serve')) await serve(process.argv[process.argv.indexOf('--serve') + 1]!)
else if (process.argv.includes('--interleaved')) await interleaved()
else await main()
