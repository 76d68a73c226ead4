/**
 * The README quick start, as written (only the body of `createServer` is the
 * conformance fixture), against every 2025-11-25 server scenario of both
 * pinned conformance suites. The target is 0 failures and 0 warnings.
 * @see issue 14
 */
import type { ByDesign } from '../helpers/conformance.js'
import { describeServerConformance } from '../helpers/server-conformance.js'
import { startQuickStart } from '../helpers/servers.js'

/** Reviewed exceptions: none. The quick start must pass everything, `dns-rebinding-protection` included (issue 12). */
const BY_DESIGN: ByDesign[] = []

await describeServerConformance('quick-start', startQuickStart, BY_DESIGN)
