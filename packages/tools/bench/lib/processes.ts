import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { listeningPort } from '../../src/cluster/processes.js'
import { repoRoot } from '../../src/paths.js'

/** What one benchmark server process serves; see bench-server.ts. */
export type Variant = 'ceiling' | 'map' | 'map-events' | 'floor' | 'manager' | 'candidate' | 'redis'

const serverScript = join(dirname(fileURLToPath(import.meta.url)), 'bench-server.ts')
const tickMs = 1000 / (Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100)

/**
 * CPU time (user + system, all threads) a process has used so far, in ms,
 * from `/proc/<pid>/stat`: works for any process we started, Node or not
 * (redis-server), at the kernel's tick resolution (10 ms).
 *
 * @example
 * const before = cpuMs(server.pid); await load(); const used = cpuMs(server.pid) - before
 */
export function cpuMs(pid: number): number {
  const { userMs, systemMs } = cpuTimes(pid)
  return userMs + systemMs
}

/** {@link cpuMs} split: in the process's own code, and in the kernel on its behalf (system calls, page faults). */
export function cpuTimes(pid: number): { userMs: number; systemMs: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  // Fields after the command name (which may contain spaces): state is field 3, utime 14, stime 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return { userMs: Number(fields[11]) * tickMs, systemMs: Number(fields[12]) * tickMs }
}

/**
 * Read and write system calls a process has made so far (`/proc/<pid>/io`): per request, they
 * show how many socket writes an answer takes.
 *
 * @example
 * const { writes } = syscalls(server.pid)
 */
export function syscalls(pid: number): { reads: number; writes: number } {
  const io = readFileSync(`/proc/${pid}/io`, 'utf8')
  const field = (name: string) => Number(new RegExp(`^${name}: (\\d+)$`, 'm').exec(io)?.[1] ?? NaN)
  return { reads: field('syscr'), writes: field('syscw') }
}

/**
 * The 1, 5 and 15 minute load averages, to print beside figures measured on a shared machine.
 *
 * @example
 * console.log(`load average ${loadAverage()}`)
 */
export function loadAverage(): string {
  return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')
}

/**
 * Builds @mcp-sessions/server and @mcp-sessions/redis (`tsc -b`, quick when up to date): the
 * benchmark serves the built packages, as users run them.
 *
 * @example
 * buildPackages()
 */
export function buildPackages(): void {
  execFileSync(process.execPath, [join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc'), '-b', 'packages/server', 'packages/redis'], { cwd: repoRoot, stdio: 'inherit' })
}

/** A running benchmark server: one process per variant. */
export interface BenchServer {
  variant: Variant
  port: number
  pid: number
  /**
   * Asks the process over IPC and resolves with its answer: `heap` (after GC), `mark` (its monotonic clock, µs)
   * or `snapshot` (writes a heap snapshot to `path`, answers the path).
   */
  ask<T>(message: { type: 'heap' | 'mark' | 'snapshot'; path?: string }): Promise<T>
  /** What the process writes to stdout (V8's `--trace-gc` lines, for one). */
  stdout: NodeJS.ReadableStream
  /** Lets the process exit by itself (so `--cpu-prof` writes its profile) and waits for it. */
  exit(): Promise<void>
  /** Ends the process (SIGKILL unless it already exited) and waits for it. */
  stop(): Promise<void>
}

/** How to start a benchmark server: extra environment, node flags, a launcher that execs node (valgrind). */
export interface StartOptions {
  env?: Record<string, string>
  nodeArgs?: string[]
  launcher?: string[]
  /** How long it may take to listen (and to exit on `exit()`). Default 30 s. */
  timeoutMs?: number
}

/**
 * Starts `bench-server.ts <variant>` as `[launcher] node --expose-gc [nodeArgs] --import tsx`, so
 * the PID is the server itself; resolves once it listens.
 *
 * @example
 * const server = await startBenchServer('manager')
 */
export async function startBenchServer(variant: Variant, options: StartOptions = {}): Promise<BenchServer> {
  const timeoutMs = options.timeoutMs ?? 30_000
  const command = [...(options.launcher ?? []), process.execPath, '--expose-gc', ...(options.nodeArgs ?? []), '--import', 'tsx', serverScript, variant]
  const child: ChildProcess = spawn(command[0]!, command.slice(1), {
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'inherit', 'ipc']
  })
  const exited = once(child, 'exit')
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL')
      await exited
    }
  }
  const port = await listeningPort(child, `the ${variant} benchmark server`, timeoutMs).catch(async error => {
    await stop()
    throw error
  })
  const ask = <T>(message: { type: string; path?: string }): Promise<T> => {
    const reply = once(child, 'message').then(([answer]) => answer as T)
    child.send(message)
    return reply
  }
  const exit = async () => {
    child.send({ type: 'exit' })
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
    await exited
    clearTimeout(timer)
  }
  return { variant, port, pid: child.pid!, ask, exit, stop, stdout: child.stdout! }
}
