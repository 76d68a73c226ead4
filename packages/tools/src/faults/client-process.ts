import { fork, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { cellDir } from '../matrix.js'
import { repoRoot } from '../paths.js'
import { SDK_PACKAGE } from '../versions.js'
import type { ClientSnapshot, Flavour, WorkerConfig, WorkerMessage } from './protocol.js'

const script = join(import.meta.dirname, 'fault-client.ts')

/**
 * The SDK folder of a matrix cell; throws, naming the command, when the cell is not installed.
 *
 * @example
 * const sdkDir = sdkDirOf('1.32.2', 'plain')
 */
export function sdkDirOf(version: string, flavour: Flavour): string {
  const dir = join(cellDir(version, flavour), 'node_modules', ...SDK_PACKAGE.split('/'))
  if (!existsSync(join(dir, 'package.json'))) {
    throw Object.assign(new Error(`[mcp-sessions] Failed to load the ${flavour} SDK ${version} for the fault suite: ${dir} is missing. Run npm run matrix -- install ${version}.`), { code: 'MCPS_CELL_MISSING' })
  }
  return dir
}

/**
 * One process of recording SDK clients (fault-client.ts), driven over IPC.
 * Every wait is bounded; `close()` ends it (SIGKILL by PID if it does not exit).
 *
 * @example
 * const clients = await startClientProcess('patched', config)
 * const snapshot = await clients.snapshot()
 * await clients.close()
 */
export async function startClientProcess(flavour: Flavour, config: WorkerConfig) {
  const child: ChildProcess = fork(script, [], { cwd: repoRoot, execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  const exited = once(child, 'exit')
  const ask = (message: WorkerMessage, answer: WorkerMessage['type'], ms: number) => new Promise<WorkerMessage>((resolve, reject) => {
    const timer = setTimeout(() => done(new Error(`[mcp-sessions] The ${flavour} client process did not answer "${message.type}" within ${ms} ms`)), ms)
    const onMessage = (reply: WorkerMessage) => {
      if (reply.type === 'failed') done(new Error(`[mcp-sessions] The ${flavour} client process failed: ${reply.error}`))
      else if (reply.type === answer) done(undefined, reply)
    }
    const onExit = () => done(new Error(`[mcp-sessions] The ${flavour} client process exited while asked "${message.type}"`))
    const done = (error?: Error, reply?: WorkerMessage) => {
      clearTimeout(timer)
      child.off('message', onMessage)
      child.off('exit', onExit)
      if (error) reject(error)
      else resolve(reply!)
    }
    child.on('message', onMessage)
    child.once('exit', onExit)
    child.send(message)
  })
  const close = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return
    const timer = setTimeout(() => child.kill('SIGKILL'), 3_000)
    if (child.connected) child.send({ type: 'close' } satisfies WorkerMessage)
    else child.kill('SIGKILL')
    await exited
    clearTimeout(timer)
  }
  try {
    await ask({ type: 'start', config }, 'ready', 30_000)
  } catch (error) {
    child.kill('SIGKILL')
    await exited
    throw error
  }
  return {
    flavour,
    pid: child.pid!,
    snapshot: async () => ((await ask({ type: 'snapshot' }, 'snapshot', 10_000)) as { clients: ClientSnapshot[] }).clients,
    /** No new calls; resolves once the calls in flight settled, or after `ms` (those still open count as failed). */
    stop: (ms: number) => ask({ type: 'stop', ms }, 'settled', ms + 5_000),
    close
  }
}

export type ClientProcess = Awaited<ReturnType<typeof startClientProcess>>
