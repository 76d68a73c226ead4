/**
 * The README's express variant (tests/fixtures/express-server.ts) against
 * every 2025-11-25 server scenario of both pinned conformance suites.
 * The target is 0 failures and 0 warnings.
 * @see issue 14
 */
import type { ByDesign } from '../helpers/conformance.js'
import { describeServerConformance } from '../helpers/server-conformance.js'
import { startExpress } from '../helpers/servers.js'

/** Reviewed exceptions: none. */
const BY_DESIGN: ByDesign[] = []

await describeServerConformance('express', startExpress, BY_DESIGN)
