/**
 * mcp-remote in proxy mode, driven over its stdio against the session manager (helpers/session-scenario.ts): the
 * server's answers are asserted, the client's behaviour is recorded for the
 * README's compatibility table (npm run interop-table).
 * @see issue 14
 */
import { onTestFinished } from 'vitest'
import { startMcpRemote } from '../helpers/client-driver.js'
import { describeSessionStory } from '../helpers/session-scenario.js'

describeSessionStory('mcp-remote', url => startMcpRemote(url, onTestFinished))
