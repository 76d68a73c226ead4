/**
 * @modelcontextprotocol/client against the session manager (helpers/session-scenario.ts):
 * the server's answers are asserted, the client's behaviour is recorded for
 * the README's compatibility table (npm run interop-table).
 * @see issue 14
 */
import { describe, it, onTestFinished } from 'vitest'
import { FOREIGN_CLIENTS, NODE_LINE } from '../pins.js'
import { startLibraryDriver } from '../helpers/client-driver.js'
import { startInteropServer } from '../helpers/interop-server.js'
import { recordClient } from '../helpers/report.js'
import { runSessionScenario, verdicts } from '../helpers/session-scenario.js'

const { name, version } = FOREIGN_CLIENTS['mcp-client-v2']

describe(`${name} ${version}`, () => {
  it('gets the manager\'s answers through a whole session, its end and the calls after it', async () => {
    const { proxy, hook } = await startInteropServer()
    const client = startLibraryDriver('mcp-client-v2', proxy.url, onTestFinished)
    onTestFinished(() => client.close())
    const run = await runSessionScenario(client, proxy, hook)
    recordClient({ client: 'mcp-client-v2', package: name, version, node: NODE_LINE, steps: run.steps, wire: run.wire, ...verdicts(run) })
  }, 60_000)
})
