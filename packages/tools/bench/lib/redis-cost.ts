import { monitorRedis, type SeenCommand } from '../../../../tests/helpers/redis-monitor.js'
import type { McpHttp } from './mcp-http.js'

/** Commands one operation costs on Redis: sent by the node (each a round trip unless pipelined) and run inside scripts. */
export interface RedisCost {
  what: string
  /** How many operations were measured; the counts are per operation. */
  ops: number
  sent: number
  inScripts: number
  sentBy: Record<string, number>
  inScriptsBy: Record<string, number>
}

/**
 * Per-operation counts of what MONITOR saw during `ops` operations.
 *
 * @example
 * tally('echo tools/call', 20, await monitor.window(run))
 */
export function tally(what: string, ops: number, lines: SeenCommand[]): RedisCost {
  const cost: RedisCost = { what, ops, sent: 0, inScripts: 0, sentBy: {}, inScriptsBy: {} }
  for (const { source, command } of lines) {
    const lua = source === 'lua'
    const by = lua ? cost.inScriptsBy : cost.sentBy
    by[command] = (by[command] ?? 0) + 1
    if (lua) cost.inScripts++
    else cost.sent++
  }
  return cost
}

/**
 * Counts what the manager on Redis sends per echo tools/call, per notify
 * (its message reaches a GET stream open on the session), per 3-part
 * streamed call, per GET stream opened, and what open GET streams cost while
 * idle (the followers' polling), on a server whose redis-server only it uses.
 *
 * @example
 * const costs = await redisCosts(mcpHttp(server.port), redis.port, { ops: 20, idleSeconds: 11 })
 */
export async function redisCosts(client: McpHttp, redisPort: number, options: { ops: number; idleSeconds: number; streams: number }): Promise<RedisCost[]> {
  const { ops, idleSeconds, streams } = options
  const sessions = await client.openSessions(streams)
  const session = sessions[0]!
  await client.callTool(session, 'echo', { text: 'warm' })
  const watch = await monitorRedis(redisPort)
  const repeat = (run: () => Promise<unknown>) => async () => {
    for (let i = 0; i < ops; i++) await run()
  }
  const costs: RedisCost[] = []
  const opened: Array<{ events(): number; close(): void }> = []
  try {
    costs.push(tally('echo tools/call', ops, await watch.window(repeat(() => client.callTool(session, 'echo', { text: 'hello' })))))
    costs.push(tally('3-part streamed tools/call (slow, count 3)', ops, await watch.window(repeat(() => client.callTool(session, 'slow', { count: 3, delayMs: 0 })))))
    costs.push(tally('GET stream opened', streams, await watch.window(async () => {
      for (const id of sessions) opened.push(await client.openGetStream(id))
    })))
    costs.push(tally('notify tools/call (message to the open GET stream)', ops, await watch.window(async () => {
      const before = opened[0]!.events()
      await repeat(() => client.callTool(session, 'notify', { text: 'ping' }))()
      await until(() => opened[0]!.events() >= before + ops, 'the GET stream did not get every notification')
    })))
    costs.push(tally(`${streams} open GET streams, idle for ${idleSeconds} s (per stream per minute)`, (streams * idleSeconds) / 60, await watch.window(async () => {
      await new Promise(resolve => setTimeout(resolve, idleSeconds * 1000))
    })))
  } finally {
    for (const stream of opened) stream.close()
    watch.close()
  }
  return costs
}

async function until(done: () => boolean, what: string, ms = 10_000): Promise<void> {
  for (const deadline = Date.now() + ms; !done();) {
    if (Date.now() > deadline) throw new Error(`[mcp-sessions] Failed to count Redis commands: ${what} within ${ms} ms`)
    await new Promise(resolve => setTimeout(resolve, 10))
  }
}

/**
 * One line per cost: commands per operation, sent and inside scripts, by command name.
 *
 * @example
 * console.log(formatRedisCosts(costs))
 */
export function formatRedisCosts(costs: RedisCost[]): string {
  const per = (n: number, ops: number) => (n / ops).toFixed(1).replace(/\.0$/, '')
  const list = (by: Record<string, number>, ops: number) => Object.entries(by).sort((a, b) => b[1] - a[1]).map(([c, n]) => `${c} ${per(n, ops)}`).join(', ') || '-'
  const rows = costs.map(c => `| ${c.what} | ${per(c.sent, c.ops)} | ${per(c.sent + c.inScripts, c.ops)} | ${list(c.sentBy, c.ops)} | ${list(c.inScriptsBy, c.ops)} |`)
  return ['| per operation | commands sent (round trips unless pipelined) | all commands, incl. inside scripts | sent | inside scripts |', '|---|---|---|---|---|', ...rows].join('\n')
}
