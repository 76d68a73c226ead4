import type { Scenario } from '../scenario.js'

/** pnpm, fastmcp alone: the SDK exists only in the virtual store, never at node_modules/@modelcontextprotocol/sdk. */
const scenario: Scenario = {
  id: 'fastmcp-pnpm',
  row: 'pnpm, fastmcp 4.20.16, SDK only transitive',
  pm: 'pnpm',
  dependencies: { fastmcp: '4.20.16' },
  framework: 'fastmcp',
  // pnpm 12 fails an install whose dependencies' build scripts nobody decided on (ERR_PNPM_IGNORED_BUILDS);
  // mcp-proxy 6.7 brings tldjs, whose script the app does not need.
  files: { 'pnpm-workspace.yaml': 'allowBuilds:\n  tldjs: false\n' }
}
export default scenario
