import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { join } from 'node:path'
import { onTestFinished } from 'vitest'
import { listeningPort } from '@mcp-sessions/tools/cluster/processes.js'
import { tsNodeArgs } from '@mcp-sessions/tools/paths.js'

const repoRoot = join(import.meta.dirname, '..', '..')

export interface ServerProcess {
  child: ChildProcess
  port: number
  /** SIGKILL, then wait for the exit: the way a crashed or redeployed node disappears. */
  kill(): Promise<void>
}

/**
 * Starts a server script that prints `listening <port>`: a `.ts` script through tsx, a `.mjs` one with plain node.
 * Only this PID is ever signalled; the test's cleanup kills it if still alive
 * (pass `cleanup`, e.g. `afterAll`, to start one for a whole suite).
 */
export async function startServerProcess(
  script: string,
  env: Record<string, string> = {},
  timeoutMs = 30_000,
  options: { nodeArgs?: string[]; cleanup?: (kill: () => Promise<void>) => void } = {}
): Promise<ServerProcess> {
  // @note `node --import tsx` keeps the script in this one process; the tsx CLI would start a
  // grandchild that a SIGKILL of its parent leaves running, holding the port.
  const loader = script.endsWith('.ts') ? tsNodeArgs : []
  const args = [...(options.nodeArgs ?? []), ...loader, join(repoRoot, script)]
  const child = spawn(process.execPath, args, { cwd: repoRoot, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] })
  const exited = once(child, 'exit')
  const kill = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return
    child.kill('SIGKILL')
    await exited
  }
  ;(options.cleanup ?? onTestFinished)(kill)
  const port = await listeningPort(child, script, timeoutMs)
  return { child, port, kill }
}
