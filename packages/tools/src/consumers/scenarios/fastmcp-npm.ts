import type { Scenario } from '../scenario.js'

/** fastmcp 4.20.16 alone: the SDK only as its dependency, hoisted by npm. */
const scenario: Scenario = {
  id: 'fastmcp-npm',
  row: 'fastmcp 4.20.16, SDK only transitive (npm)',
  pm: 'npm',
  dependencies: { fastmcp: '4.20.16' },
  framework: 'fastmcp'
}
export default scenario
