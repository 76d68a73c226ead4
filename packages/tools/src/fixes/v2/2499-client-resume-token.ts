import { CLIENT_PACKAGE } from '../../versions.js'
import { bundles, marker, type Edit, type Target } from '../types.js'

const m = marker('2499-client-resume-token')

/**
 * Fix 006 on `@modelcontextprotocol/client` 2.x: v2's transport has both
 * gaps of v1 (a connection's last event id starts empty, and a request resumed
 * through send() drops its onresumptiontoken). `shared`: the v1 fix's edits
 * of the code and documentation that read the same in v2 (the first event id,
 * the `resumptionToken` documentation).
 */
export function resumeTokenV2(shared: { declaration: Edit; seedCursor: Edit }): Target {
  return {
    package: CLIENT_PACKAGE,
    upstreamSource:
      'packages/client/src/client/streamableHttp.ts: StreamableHTTPClientTransport._handleSseStream() (seed the last ' +
      'event id from options.resumptionToken) and _send() (pass onresumptiontoken to _startOrAuthSse() when resuming).',
    edits: [
      { ...shared.seedCursor, files: bundles() },
      {
        name: 'resume-callback',
        files: bundles(),
        find: /(this\._startOrAuthSse\(\{\n(\s*)resumptionToken,\n)(\s*replayMessageId: )/,
        replace: (_all, head, indent, rest) => `${head}${indent}// ${m}: the resumed stream reports its new event ids as well, so a persisted token stays current.\n${indent}onresumptiontoken,\n${rest}`
      },
      { ...shared.declaration, files: bundles('types') }
    ]
  }
}
