import { onTestFinished } from 'vitest'
import { startFront as start } from '@mcp-sessions/tools/cluster/front.js'

export type { FrontEntry } from '@mcp-sessions/tools/cluster/front.js'

/** The round-robin front of packages/tools/src/cluster/front.ts, closed when the test ends. */
export async function startFront(ports: number[]) {
  const front = await start(ports)
  onTestFinished(() => front.close())
  return front
}
