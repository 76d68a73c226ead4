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

/**
 * A private `redis-server` on a free loopback port in a temp dir, nothing
 * persisted. `stop()` signals only its own PID and removes the dir.
 */
export async function startRedisServer(timeoutMs = 5_000): Promise<{ url: string; port: number; child: ChildProcess; stop(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'mcps-redis-'))
  const port = await freePort()
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: 'ignore' })
  const exited = once(child, 'exit')
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL')
      await exited
    }
    rmSync(dir, { recursive: true, force: true })
  }
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
  try {
    await Promise.race([ready, failed])
  } catch (error) {
    await stop()
    throw error
  }
  return { url: `redis://127.0.0.1:${port}`, port, child, stop }
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
