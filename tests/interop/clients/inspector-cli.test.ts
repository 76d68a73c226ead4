/**
 * @modelcontextprotocol/inspector-cli in CLI mode: every command is its own
 * session (initialize, the method, close), so a session the server ended
 * never meets it again. The server's answers are asserted, the CLI's output
 * recorded for the README's compatibility table.
 * @see issue 14
 */
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { describe, expect, inject, it } from 'vitest'
import { FOREIGN_CLIENTS, NODE_LINE } from '../pins.js'
import { startInteropServer } from '../helpers/interop-server.js'
import { label, type RecordingProxy } from '../helpers/recording-proxy.js'
import { recordClient, type ClientStep } from '../helpers/report.js'

const { name, version } = FOREIGN_CLIENTS['inspector-cli']

function inspector(url: string, args: string[]): Promise<{ code: number | null; output: string }> {
  const modules = join(inject('interop').clients['inspector-cli'], 'node_modules')
  const cli = join(modules, '@modelcontextprotocol', 'inspector-cli', 'build', 'index.js')
  return new Promise(resolve => {
    // @note 1.0.3 checks for `../package.json` relative to the working directory but imports it relative to
    // itself: from a folder whose parent has no package.json it exits 1 ("Cannot find module"). Run it where
    // that check happens to hold (NOTE below).
    const child = spawn(inject('interop').node22, [cli, url, '--transport', 'http', ...args], { cwd: modules, stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    child.stdout.on('data', (d: Buffer) => (output += d))
    child.stderr.on('data', (d: Buffer) => (output += d))
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000)
    child.on('close', code => {
      clearTimeout(timer)
      resolve({ code, output })
    })
  })
}

const NOTE = 'inspector-cli 1.0.3 exits 1 ("Cannot find module …/package.json") when the parent of the working directory has no package.json; run it from inside a project folder'

const sessions = (proxy: RecordingProxy) => new Set(proxy.log.filter(e => label(e) === 'initialize').map(e => e.headers?.['mcp-session-id']))

describe(`${name} ${version}`, () => {
  it('runs each command in a session of its own, answered 200 throughout', async () => {
    const { proxy } = await startInteropServer()
    const steps: ClientStep[] = []
    for (const [step, args, expected] of [
      ['tools/list', ['--method', 'tools/list'], 'test_simple_text'],
      ['tools/call', ['--method', 'tools/call', '--tool-name', 'test_simple_text'], 'This is a simple text response for testing.']
    ] as const) {
      const mark = proxy.log.length
      const { code, output } = await inspector(proxy.url, [...args])
      const exchanges = proxy.log.slice(mark)
      steps.push({ step, server: exchanges.map(e => `${label(e)} -> ${e.status}`).join(', '), client: `exit ${code}: ${output.replace(/\s+/g, ' ').slice(0, 160)}`, ok: code === 0 && output.includes(expected) })
      const seen = `${steps.at(-1)!.server}; CLI: ${steps.at(-1)!.client}`
      expect(exchanges.find(e => label(e) === 'initialize')?.status, seen).toBe(200)
      expect(exchanges.find(e => label(e) === step)?.status, seen).toBe(200)
      for (const e of exchanges) expect(e.status! < 500, `${label(e)} -> ${e.status}`).toBe(true)
    }
    expect(sessions(proxy).size, 'one session per command').toBe(2)
    const ok = steps.every(s => s.ok)
    recordClient({
      client: 'inspector-cli',
      package: name,
      version,
      node: NODE_LINE,
      steps,
      wire: proxy.log.map(e => `${label(e)} -> ${e.status}`),
      works: ok ? 'tools/list, tools/call (one session per command; no GET-stream notifications in CLI mode)' : `fails: ${steps.filter(s => !s.ok).map(s => s.client).join('; ')}`,
      onExpiry: 'nothing to do: each command starts its own session',
      notes: [NOTE]
    })
  }, 90_000)
})
