import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, rmSync } from 'node:fs'
import { connect, createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { tsNodeArgs } from '../paths.js'

const nodeScript = join(dirname(fileURLToPath(import.meta.url)), 'node.ts')

/** A free loopback port: bind 0, read it, release it. */
export async function freePort(): Promise<number> {
  const server = createServer()
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as { port: number }
  await new Promise(resolve => server.close(resolve))
  return port
}

/** True when a TCP `PING` on the loopback port gets `+PONG` within 500 ms. */
export async function pong(port: number): Promise<boolean> {
  return new Promise<boolean>(resolve => {
    const socket = connect(port, '127.0.0.1')
    const done = (value: boolean) => {
      socket.destroy()
      resolve(value)
    }
    socket.setTimeout(500, () => done(false))
    socket.once('error', () => done(false))
    socket.once('connect', () => socket.write('PING\r\n'))
    socket.once('data', chunk => done(chunk.toString().startsWith('+PONG')))
  })
}

export interface RedisServerProcess {
  url: string
  port: number
  /** The running process (a new one after `up()`). */
  child: ChildProcess
  /**
   * Takes Redis away: SIGTERM (a clean shutdown: with `appendOnly` the AOF is
   * flushed, nothing is lost) or SIGKILL; the port and dir stay for `up()`.
   */
  down(signal?: 'SIGTERM' | 'SIGKILL'): Promise<void>
  /** Starts it again on the same port and dir (with `appendOnly`, its data comes back from the AOF). */
  up(): Promise<void>
  /** SIGKILL its own PID and remove the dir. */
  stop(): Promise<void>
}

/**
 * A private `redis-server` on a free loopback port in a temp dir. Nothing is
 * persisted unless `appendOnly` (AOF, fsync every second, in the temp dir).
 * Only its own PID is ever signalled.
 *
 * @example
 * const redis = await startRedisServer({ appendOnly: true })
 * await redis.down()
 * await redis.up()
 */
export async function startRedisServer(options: { timeoutMs?: number; appendOnly?: boolean } = {}): Promise<RedisServerProcess> {
  const timeoutMs = options.timeoutMs ?? 5_000
  const dir = mkdtempSync(join(tmpdir(), 'mcps-redis-'))
  const port = await freePort()
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', options.appendOnly ? 'yes' : 'no', '--dir', dir]
  let child!: ChildProcess
  const down = async (signal: 'SIGTERM' | 'SIGKILL' = 'SIGKILL') => {
    if (child.exitCode !== null || child.signalCode !== null) return
    const exited = once(child, 'exit')
    child.kill(signal)
    await exited
  }
  const up = async () => {
    child = spawn('redis-server', args, { stdio: 'ignore' })
    const failed = once(child, 'error').then(([error]) => {
      throw Object.assign(new Error(`[mcp-sessions] Failed to start redis-server: ${(error as Error).message}. Install it (Debian/Ubuntu: apt-get install redis-server) or pass REDIS_URL.`), { code: 'MCPS_REDIS_MISSING' })
    })
    const deadline = Date.now() + timeoutMs
    const ready = (async () => {
      for (let attempt = 1; Date.now() < deadline; attempt++) {
        if (await pong(port)) return
        await new Promise(resolve => setTimeout(resolve, Math.min(20 * attempt, 100)))
      }
      throw new Error(`[mcp-sessions] Failed to start redis-server: no PONG on 127.0.0.1:${port} within ${timeoutMs} ms`)
    })()
    await Promise.race([ready, failed])
  }
  const stop = async () => {
    await down('SIGKILL')
    rmSync(dir, { recursive: true, force: true })
  }
  try {
    await up()
  } catch (error) {
    await stop()
    throw error
  }
  return { url: `redis://127.0.0.1:${port}`, port, get child() { return child }, down, up, stop }
}

/**
 * One demo node process (`node --import tsx`, so the PID is the server
 * itself); resolves once it prints `listening <port>`.
 */
export async function startNode(env: Record<string, string>, timeoutMs = 15_000, nodeArgs: string[] = []): Promise<{ port: number; child: ChildProcess; kill(signal?: NodeJS.Signals): Promise<void> }> {
  const child = spawn(process.execPath, [...nodeArgs, ...tsNodeArgs, nodeScript], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] })
  const exited = once(child, 'exit')
  const kill = async (signal: NodeJS.Signals = 'SIGKILL') => {
    if (child.exitCode !== null || child.signalCode !== null) return
    child.kill(signal)
    await exited
  }
  const port = await listeningPort(child, 'a cluster node', timeoutMs).catch(async error => {
    await kill()
    throw error
  })
  return { port, child, kill }
}

/**
 * Resolves with the port a child process announces on stdout as `listening <port>`; rejects, naming `what`, when
 * it exits first or stays silent for `timeoutMs`.
 */
export function listeningPort(child: ChildProcess, what: string, timeoutMs: number): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`[mcp-sessions] Failed to start ${what}: no "listening <port>" within ${timeoutMs} ms`)), timeoutMs)
    let buffer = ''
    child.stdout!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString()
      const m = /listening (\d+)/.exec(buffer)
      if (m) {
        clearTimeout(timer)
        resolve(Number(m[1]))
      }
    })
    child.once('exit', code => {
      clearTimeout(timer)
      reject(new Error(`[mcp-sessions] Failed to start ${what}: it exited (${code}) before listening`))
    })
  })
}
