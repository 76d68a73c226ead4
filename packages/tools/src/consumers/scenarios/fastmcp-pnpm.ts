import type { Scenario } from '../scenario.js'

/** pnpm, fastmcp alone: the SDK exists only in the virtual store, never at node_modules/@modelcontextprotocol/sdk. */
const scenario: Scenario = {
  id: 'fastmcp-pnpm',
  row: 'pnpm, fastmcp 4.20.16, SDK only transitive',
  pm: 'pnpm',
  dependencies: { fastmcp: '4.20.16' },
  framework: 'fastmcp'
}
export default scenario
