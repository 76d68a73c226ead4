import type { Scenario } from '../scenario.js'

/**
 * pnpm keeps one copy of a package per peer set: an app on zod 3 next to
 * fastmcp (zod 4) gets two store copies of SDK 1.32.2, and fastmcp loads the
 * zod-4 one.
 */
const scenario: Scenario = {
  id: 'fastmcp-pnpm-zod3',
  row: 'pnpm, fastmcp 4.20.16 + pin sdk 1.32.2, app on zod 3',
  pm: 'pnpm',
  dependencies: { fastmcp: '4.20.16', '@modelcontextprotocol/sdk': '1.32.2', zod: '3.25.76' },
  framework: 'fastmcp',
  // pnpm 12 fails an install whose dependencies' build scripts nobody decided on (ERR_PNPM_IGNORED_BUILDS);
  // mcp-proxy 6.7 brings tldjs, whose script the app does not need.
  files: { 'pnpm-workspace.yaml': 'allowBuilds:\n  tldjs: false\n' }
}
export default scenario
