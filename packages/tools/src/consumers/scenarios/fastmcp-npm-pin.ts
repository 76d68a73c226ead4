import type { Scenario } from '../scenario.js'

/**
 * fastmcp 4.20.16 wants `@modelcontextprotocol/sdk` ^1.24.3; an app pinned to
 * 1.24.0 makes npm nest fastmcp's own copy (1.32.x) under it, which fastmcp
 * loads. Its HTTP transport comes from the v2 packages through mcp-proxy 6.7.
 */
const scenario: Scenario = {
  id: 'fastmcp-npm-pin',
  row: 'fastmcp 4.20.16 + app pins sdk 1.24.0 (npm)',
  pm: 'npm',
  dependencies: { fastmcp: '4.20.16', '@modelcontextprotocol/sdk': '1.24.0' },
  framework: 'fastmcp'
}
export default scenario
