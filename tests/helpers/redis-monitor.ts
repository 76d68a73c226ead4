import { once } from 'node:events'
import { connect, type Socket } from 'node:net'

/** One command as MONITOR shows it: who ran it (`lua` inside a script, else the client's address) and its name. */
export interface SeenCommand {
  source: string
  command: string
}

/** A MONITOR connection that cuts what it sees into windows. */
export interface RedisMonitor {
  /** Every command run while `run` ran (and shortly after: fire-and-forget commands land late), marker commands left out. */
  window(run: () => Promise<void>, settleMs?: number): Promise<SeenCommand[]>
  close(): void
}

const LINE = /^\+\d+\.\d+ \[\d+ ([^\]]+)\] "([^"]+)"/
const MARK = 'mcps-monitor-mark-'

/**
 * A `MONITOR` connection to a redis-server that cuts what it sees into
 * windows delimited by `ECHO` markers sent on a second connection. MONITOR
 * shows every command a client sends and, as `[0 lua]`, every command a
 * script runs. Use it on a private redis-server: other clients' commands count too.
 *
 * @example
 * const monitor = await monitorRedis(redis.port)
 * const seen = await monitor.window(() => client.callTool(id, 'echo', { text: 'hi' }))
 */
export async function monitorRedis(port: number): Promise<RedisMonitor> {
  const watch = connect(port, '127.0.0.1')
  const marks = connect(port, '127.0.0.1')
  await Promise.all([once(watch, 'connect'), once(marks, 'connect')])
  let seen: Array<SeenCommand & { arg: string }> = []
  let partial = ''
  let waiting: { marker: string; resolve: () => void } | undefined
  watch.setEncoding('utf8')
  watch.on('data', (chunk: string) => {
    const lines = (partial + chunk).split('\r\n')
    partial = lines.pop()!
    for (const line of lines) {
      const m = LINE.exec(line)
      if (!m) continue
      const arg = / "([^"]*)"/.exec(line.slice(m[0].length))?.[1] ?? ''
      seen.push({ source: m[1]!, command: m[2]!.toUpperCase(), arg })
      if (waiting && m[2]!.toUpperCase() === 'ECHO' && arg === waiting.marker) waiting.resolve()
    }
  })
  watch.write('MONITOR\r\n')
  marks.on('data', () => {})
  let n = 0
  const mark = async (): Promise<void> => {
    const marker = `${MARK}${++n}`
    const seenMarker = new Promise<void>(resolve => (waiting = { marker, resolve }))
    marks.write(`ECHO ${marker}\r\n`)
    await bounded(seenMarker, `MONITOR did not show ${marker}`)
  }
  await mark()
  return {
    async window(run, settleMs = 200) {
      await mark()
      seen = []
      await run()
      await new Promise(resolve => setTimeout(resolve, settleMs))
      await mark()
      return seen.filter(line => !(line.command === 'ECHO' && line.arg.startsWith(MARK))).map(({ source, command }) => ({ source, command }))
    },
    close() {
      for (const socket of [watch, marks] as Socket[]) socket.destroy()
    }
  }
}

/** Commands a client sent (each one a request on the wire), not those scripts ran. */
export const sent = (seen: SeenCommand[]) => seen.filter(line => line.source !== 'lua')

async function bounded<T>(promise: Promise<T>, what: string, ms = 10_000): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`[mcp-sessions] Failed to watch Redis: ${what} within ${ms} ms`)), ms)))
  try {
    return await Promise.race([promise, timeout])
  } finally {
    clearTimeout(timer)
  }
}
