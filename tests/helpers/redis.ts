import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createClient, type RedisClientType } from '@redis/client'
import { onTestFinished } from 'vitest'
import { freePort, pong } from '@mcp-sessions/tools/cluster/processes.js'

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyClient = RedisClientType<any, any, any, any, any>

export interface RedisServer {
  port: number
  url: string
  /** SIGKILL the server (an outage); the port stays reserved for `start()`. */
  stop(): Promise<void>
  /** Starts it again on the same port (empty: nothing is persisted). */
  start(): Promise<void>
  /** SIGSTOP: Redis freezes, its connections stay open and unanswered (undone at cleanup). */
  pause(): void
  /** SIGCONT after {@link pause}. */
  resume(): void
  /** A connected client with an error listener; closed at cleanup. */
  client(): Promise<AnyClient>
}

/** Resolves once a TCP PING on the port gets +PONG; bounded. */
async function waitForPong(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (let attempt = 0; Date.now() < deadline; attempt++) {
    const ok = await pong(port)
    if (ok) return
    await new Promise(resolve => setTimeout(resolve, Math.min(20 * (attempt + 1), 100)))
  }
  throw new Error(`[mcp-sessions] Failed to start redis-server: no PONG on 127.0.0.1:${port} within ${timeoutMs} ms. Is redis-server installed (apt-get install redis-server)?`)
}

/**
 * Starts a private `redis-server` on a free loopback port in a temp dir, with
 * nothing persisted. Only its own PID is ever signalled; cleanup is registered
 * with the calling test (use it inside `it`, or pass `register` for a suite).
 *
 * @example
 * const redis = await startRedis()
 * const client = await redis.client()
 */
export async function startRedis(register: (cleanup: () => Promise<void>) => void = onTestFinished): Promise<RedisServer> {
  const dir = mkdtempSync(join(tmpdir(), 'mcps-redis-'))
  const port = await freePort()
  let child: ChildProcess | undefined
  const clients: AnyClient[] = []

  const start = async () => {
    child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: 'ignore' })
    const spawned = child
    const failed = once(spawned, 'error').then(([error]) => { throw error })
    await Promise.race([waitForPong(port, 5_000), failed])
  }
  const stop = async () => {
    const running = child
    child = undefined
    if (!running || running.exitCode !== null || running.signalCode !== null) return
    const exited = once(running, 'exit')
    running.kill('SIGKILL')
    await exited
  }
  let paused = false
  const signal = (name: 'SIGSTOP' | 'SIGCONT') => {
    if (!child || child.exitCode !== null || child.signalCode !== null) throw new Error(`[mcp-sessions] Failed to send ${name} to redis-server: it is not running`)
    child.kill(name)
    paused = name === 'SIGSTOP'
  }
  register(async () => {
    // A frozen server would hold the clients' close() (it waits for pending replies) for ever.
    if (paused) signal('SIGCONT')
    await Promise.all(clients.map(c => c.isOpen ? c.close().catch(() => {}) : undefined))
    await stop()
    rmSync(dir, { recursive: true, force: true })
  })
  await start()
  const url = `redis://127.0.0.1:${port}`
  return {
    port,
    url,
    stop,
    start,
    pause: () => signal('SIGSTOP'),
    resume: () => signal('SIGCONT'),
    client: async () => {
      const client = createClient({ url, disableOfflineQueue: true }) as AnyClient
      client.on('error', () => {})
      clients.push(client)
      await client.connect()
      return client
    }
  }
}
