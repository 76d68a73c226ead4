/**
 * @ai-sdk/mcp against the session manager (helpers/session-scenario.ts): the
 * server's answers are asserted, the client's behaviour is recorded for the
 * README's compatibility table (npm run interop-table).
 * @see issue 14
 */
import { onTestFinished } from 'vitest'
import { startLibraryDriver } from '../helpers/client-driver.js'
import { describeSessionStory } from '../helpers/session-scenario.js'

describeSessionStory('ai-sdk-mcp', url => startLibraryDriver('ai-sdk-mcp', url, onTestFinished))
