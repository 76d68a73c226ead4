/**
 * The v1 SDK client with this repo's patch set (`.matrix/1.32.2/patched`) and
 * `recoverSession: true` against the session manager
 * (helpers/session-scenario.ts): the server's answers are asserted, the
 * client's behaviour is recorded for the README's compatibility table
 * (npm run interop-table).
 * @see issue 14
 */
import { onTestFinished } from 'vitest'
import { startLibraryDriver } from '../helpers/client-driver.js'
import { describeSessionStory } from '../helpers/session-scenario.js'

describeSessionStory('sdk-v1-patched', url => startLibraryDriver('sdk-v1-patched', url, onTestFinished))
