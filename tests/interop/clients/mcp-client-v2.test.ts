/**
 * @modelcontextprotocol/client (the v2 SDK client) against the session manager (helpers/session-scenario.ts): the
 * server's answers are asserted, the client's behaviour is recorded for the
 * README's compatibility table (npm run interop-table).
 * @see issue 14
 */
import { onTestFinished } from 'vitest'
import { startLibraryDriver } from '../helpers/client-driver.js'
import { describeSessionStory } from '../helpers/session-scenario.js'

describeSessionStory('mcp-client-v2', url => startLibraryDriver('mcp-client-v2', url, onTestFinished))
