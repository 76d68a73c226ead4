import { spawn } from 'node:child_process'

export interface RunResult {
  code: number
  output: string
  ms: number
}

/** The environment for a package manager: without `npm run`'s npm_* variables and without CI (pnpm and yarn freeze the lockfile under CI). */
export function pmEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [k, v] of Object.entries(process.env)) if (!/^npm_/i.test(k) && k !== 'CI' && k !== 'INIT_CWD') env[k] = v
  return { ...env, ...extra }
}

/**
 * Runs a command to its end (or `timeoutMs`, then SIGTERM to that one PID),
 * stdout and stderr interleaved as the user would see them.
 *
 * @example
 * const r = await exec('npm', ['--version'], dir, pmEnv())
 */
export function exec(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv, timeoutMs = 300_000): Promise<RunResult> {
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

/** Runs `tasks` with at most `limit` at a time; results in the order of `tasks`. */
export async function inParallel<T>(limit: number, tasks: Array<() => Promise<T>>): Promise<T[]> {
  const results: T[] = new Array(tasks.length)
  let next = 0
  await Promise.all(
    Array.from({ length: Math.min(limit, tasks.length) }, async () => {
      for (let i = next++; i < tasks.length; i = next++) results[i] = await tasks[i]!()
    })
  )
  return results
}
