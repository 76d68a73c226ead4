import type { Scenario } from '../scenario.js'

/** inspector-cli 1.0.3 wants ^1.25.2; an app pinned to 1.24.3 makes npm nest inspector-cli's own 1.32.x client. */
const scenario: Scenario = {
  id: 'inspector-cli-npm-pin',
  row: 'inspector-cli 1.0.3 + pin sdk 1.24.3 (npm)',
  pm: 'npm',
  dependencies: { '@modelcontextprotocol/inspector-cli': '1.0.3', '@modelcontextprotocol/sdk': '1.24.3' },
  framework: '@modelcontextprotocol/inspector-cli'
}
export default scenario
