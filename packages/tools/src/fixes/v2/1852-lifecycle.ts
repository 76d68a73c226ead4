import { SERVER_PACKAGE } from '../../versions.js'
import { bundles, marker, type Target } from '../types.js'

const m = marker('1852-lifecycle')

/** From the web-standard transport's class head to the first line of one of its methods. */
const inTransport = (method: string) => `(var WebStandardStreamableHTTPServerTransport = class \\{[\\s\\S]*?\\n(\\s*)${method} \\{\\n)`

/**
 * Fix 003 on `@modelcontextprotocol/server` 2.x: every release guards close()
 * with `_closed` and answers 404 after it (upstream #1788), so the builder
 * finds the guards and marks the fix "not affected"; the edits would add
 * them, should a release drop them. v2 has no Node wrapper in this package
 * (`@modelcontextprotocol/node` holds it), so the v1 listener part has nothing to change.
 */
export const lifecycleV2: Target = {
  package: SERVER_PACKAGE,
  title: 'Make server transport close() idempotent; closed means 404',
  upstreamSource: 'packages/server/src/server/streamableHttp.ts: WebStandardStreamableHTTPServerTransport.close() and handleRequest().',
  edits: [
    {
      name: 'close-once-web',
      files: bundles(),
      unlessPresent: new RegExp(`${inTransport('async close\\(\\)')}\\s*if \\(this\\._closed\\) return;`),
      find: new RegExp(inTransport('async close\\(\\)')),
      replace: (all, _g, indent) => `${all}${indent}\t// ${m}: runs once; an onclose handler that calls close() again must not fire onclose twice.\n${indent}\tif (this._mcpsClosed) return;\n${indent}\tthis._mcpsClosed = true;\n`
    },
    {
      name: 'closed-404-web',
      files: bundles(),
      unlessPresent: new RegExp(`${inTransport('async handleRequest\\(req, options\\)')}\\s*if \\(this\\._closed\\) return this\\.createJsonErrorResponse\\(404`),
      find: new RegExp(inTransport('async handleRequest\\(req, options\\)')),
      replace: (all, _g, indent) => `${all}${indent}\t// ${m}: after close() the session is over.\n${indent}\tif (this._mcpsClosed) return this.createJsonErrorResponse(404, -32001, "Session not found");\n`
    }
  ]
}
