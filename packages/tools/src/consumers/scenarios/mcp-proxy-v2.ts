import type { Scenario } from '../scenario.js'

/** mcp-proxy 6.7.19 speaks MCP through the v2 packages only (`@modelcontextprotocol/client` and `/server` 2.x). */
const scenario: Scenario = {
  id: 'mcp-proxy-v2',
  row: 'mcp-proxy 6.7.19 (v2 only, npm)',
  pm: 'npm',
  dependencies: { 'mcp-proxy': '6.7.19' },
  framework: 'mcp-proxy'
}
export default scenario
