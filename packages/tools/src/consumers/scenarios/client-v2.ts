import type { Scenario } from '../scenario.js'
import { CLIENT_DEMO, runV2Demo } from '../v2-demos.js'

/** An app on the v2 client alone: after postinstall, a stale session id is cleared on 404 and recoverSession works. */
const scenario: Scenario = {
  id: 'client-2.4.0-npm',
  row: 'app on @modelcontextprotocol/client 2.4.0 (npm)',
  pm: 'npm',
  dependencies: { '@modelcontextprotocol/client': '2.4.0' },
  extra: runV2Demo(CLIENT_DEMO)
}
export default scenario
