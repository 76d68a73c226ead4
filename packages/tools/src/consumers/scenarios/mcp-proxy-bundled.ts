import type { Scenario } from '../scenario.js'

/** mcp-proxy 6.4.4 without a pin: no SDK package anywhere, only the copy bundled in its files. */
const scenario: Scenario = {
  id: 'mcp-proxy-bundled',
  row: 'mcp-proxy 6.4.4 without a pin (npm)',
  pm: 'npm',
  dependencies: { 'mcp-proxy': '6.4.4' },
  framework: 'mcp-proxy',
  bundles: { 'mcp-proxy': '1.27.1' }
}
export default scenario
