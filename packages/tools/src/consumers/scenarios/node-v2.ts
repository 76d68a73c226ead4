import type { Scenario } from '../scenario.js'
import { NODE_DEMO, runV2Demo } from '../v2-demos.js'

/** A server on the v2 Node adapter: its transport is `@modelcontextprotocol/server`'s, patched; the adapter needs no patch. */
const scenario: Scenario = {
  id: 'node-2.1.2-pnpm',
  row: 'server on @modelcontextprotocol/node 2.1.2 and /server 2.4.0 (pnpm)',
  pm: 'pnpm',
  dependencies: { '@modelcontextprotocol/node': '2.1.2', '@modelcontextprotocol/server': '2.4.0' },
  extra: runV2Demo(NODE_DEMO)
}
export default scenario
