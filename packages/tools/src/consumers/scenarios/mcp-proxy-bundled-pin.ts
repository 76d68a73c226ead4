import type { Scenario } from '../scenario.js'

/** mcp-proxy 6.4.4 has no SDK dependency: it ships SDK 1.27.1 inside its own dist/*.mjs, which the app's pin never reaches. */
const scenario: Scenario = {
  id: 'mcp-proxy-bundled-pin',
  row: 'mcp-proxy 6.4.4 + pin sdk 1.32.2 (npm)',
  pm: 'npm',
  dependencies: { 'mcp-proxy': '6.4.4', '@modelcontextprotocol/sdk': '1.32.2' },
  framework: 'mcp-proxy',
  bundles: { 'mcp-proxy': '1.27.1' }
}
export default scenario
