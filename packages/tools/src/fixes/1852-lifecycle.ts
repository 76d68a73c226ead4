import { marker, type Fix } from './types.js'
import { lifecycleV2 } from './v2/1852-lifecycle.js'

const slug = '1852-lifecycle'
const m = marker(slug)
const both = (path: string) => [`dist/esm/${path}`, `dist/cjs/${path}`]

/** Where a reader of close() and handleRequest() meets it: the rule the whole fix serves. */
const invariant =
  'Invariant: a session ends only by DELETE, by close(), or by a server-side lifetime policy; never by a socket, a stream or a response closing.'

const notFoundNode =
  "res.writeHead(404, { 'Content-Type': 'application/json' }).end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32001, message: 'Session not found' }, id: null }));"

/**
 * Versions from 1.30.0 already guard close() with `_closed` and answer 404
 * after it, so the close edits are skipped there (`unlessPresent`). The Node
 * wrapper edit has no failure a test can observe on Node 20 (the adapter's
 * clean-up finds an already-read request destroyed), so it travels only with
 * the versions this fix must patch anyway; see the proof file's guards.
 */
export const lifecycle: Fix = {
  slug,
  title: 'Make server transport close() idempotent; closed means 404',
  description:
    'An onclose handler that closes the MCP server (a common clean-up) re-enters the transport close(): ' +
    'before 1.30 close() had no guard, so onclose fired again and again until the stack overflowed, and ' +
    'calling close() twice fired onclose twice. A closed transport also kept serving its session id: a ' +
    'request reached a server that had already dropped the transport and was never answered. close() now ' +
    'runs once and onclose fires exactly once; a closed transport answers 404 (-32001), as later releases ' +
    'do. The Node wrapper builds its request listener once instead of per request, passes authInfo and ' +
    'parsedBody through a context keyed by the Node request, and tells the HTTP adapter not to drain or ' +
    'destroy a request whose body the application already read. A comment states the invariant: a session ' +
    'ends only by DELETE, close() or a server-side lifetime policy, never by a socket or stream closing.',
  bugs: [
    'https://github.com/modelcontextprotocol/typescript-sdk/issues/1852',
    'https://github.com/modelcontextprotocol/java-sdk/issues/920'
  ],
  forwarded: 'no',
  lastUpdate: '2026-11-22',
  test: 'tests/fixes/1852-lifecycle.test.ts',
  targets: [lifecycleV2],
  upstreamSource:
    'src/server/webStandardStreamableHttp.ts (1.25+) or src/server/streamableHttp.ts (1.24): close() and ' +
    'handleRequest(); src/server/streamableHttp.ts (1.25+): the constructor and handleRequest().',
  edits: [
    {
      name: 'close-once-web',
      files: both('server/webStandardStreamableHttp.js'),
      versions: '>=1.25.0',
      unlessPresent: /async close\(\) \{\s*if \(this\._closed\)/,
      find: /(\n(\s*)async close\(\) \{\n)/,
      replace: (all, _g, indent) =>
        `${all}${indent}    // ${m}: runs once; an onclose handler that calls close() again (e.g. by closing\n` +
        `${indent}    // the MCP server) must not fire onclose a second time or recurse.\n` +
        `${indent}    // ${invariant}\n` +
        `${indent}    if (this._mcpsClosed) {\n` +
        `${indent}        return;\n` +
        `${indent}    }\n` +
        `${indent}    this._mcpsClosed = true;\n`
    },
    {
      name: 'closed-404-web',
      files: both('server/webStandardStreamableHttp.js'),
      versions: '>=1.25.0',
      unlessPresent: /async handleRequest\(req, options\) \{\s*if \(this\._closed\)/,
      find: /(\n(\s*)async handleRequest\(req, options\) \{\n)/,
      replace: (all, _g, indent) =>
        `${all}${indent}    // ${m}: ${invariant} After close() the session is over.\n` +
        `${indent}    if (this._mcpsClosed) {\n` +
        `${indent}        return this.createJsonErrorResponse(404, -32001, 'Session not found');\n` +
        `${indent}    }\n`
    },
    {
      name: 'close-once-node',
      files: both('server/streamableHttp.js'),
      versions: '<1.25.0',
      find: /(\n(\s*)async close\(\) \{\n\s*var _a;\n)/,
      replace: (all, _g, indent) =>
        `${all}${indent}    // ${m}: runs once; an onclose handler that calls close() again (e.g. by closing\n` +
        `${indent}    // the MCP server) must not fire onclose a second time or recurse.\n` +
        `${indent}    // ${invariant}\n` +
        `${indent}    if (this._mcpsClosed) {\n` +
        `${indent}        return;\n` +
        `${indent}    }\n` +
        `${indent}    this._mcpsClosed = true;\n`
    },
    {
      name: 'closed-404-node',
      files: both('server/streamableHttp.js'),
      versions: '<1.25.0',
      find: /(\n(\s*)async handleRequest\(req, res, parsedBody\) \{\n\s*var _a;\n)/,
      replace: (all, _g, indent) =>
        `${all}${indent}    // ${m}: ${invariant} After close() the session is over.\n` +
        `${indent}    if (this._mcpsClosed) {\n` +
        `${indent}        ${notFoundNode}\n` +
        `${indent}        return;\n` +
        `${indent}    }\n`
    },
    {
      name: 'one-listener',
      files: both('server/streamableHttp.js'),
      versions: '>=1.25.0 <1.30.0',
      // 1.25.0-1.25.2 pass no options; 1.25.3+ pass { overrideGlobalObjects: false }. Keep what each release had.
      find: /this\._requestListener = ((?:\(0, [\w$]+\.)?getRequestListener\)?)\(async \(webRequest\) => \{[\s\S]*?\n {8}\}(?:, \{ (overrideGlobalObjects: false) \})?\);/,
      replace: (_all, listen, override) =>
        `// ${m}: the listeners are built once. hono passes the Node request to the fetch\n` +
        `        // callback as env.incoming, which keys the per-request authInfo and parsedBody.\n` +
        `        const fetchCallback = async (webRequest, env) => {\n` +
        `            const context = env?.incoming ? this._requestContext.get(env.incoming) : undefined;\n` +
        `            return this._webStandardTransport.handleRequest(webRequest, {\n` +
        `                authInfo: context?.authInfo,\n` +
        `                parsedBody: context?.parsedBody\n` +
        `            });\n` +
        `        };\n` +
        `        this._requestListener = ${listen}(fetchCallback${override ? `, { ${override} }` : ''});\n` +
        `        // When the application already read the body (parsedBody), the adapter must not drain\n` +
        `        // or destroy the request after the response: the body is gone, the socket is not its.\n` +
        `        this._mcpsParsedBodyListener = ${listen}(fetchCallback, { ${override ? `${override}, ` : ''}autoCleanupIncoming: false });`
    },
    {
      name: 'one-listener-handle',
      files: both('server/streamableHttp.js'),
      versions: '>=1.25.0 <1.30.0',
      find: /(async handleRequest\(req, res, parsedBody\) \{\n)[\s\S]*?await handler\(req, res\);\n/,
      replace: (_all, open) =>
        `${open}` +
        `        // ${m}: ${invariant}\n` +
        `        this._requestContext.set(req, { authInfo: req.auth, parsedBody });\n` +
        `        try {\n` +
        `            await (parsedBody === undefined ? this._requestListener : this._mcpsParsedBodyListener)(req, res);\n` +
        `        }\n` +
        `        finally {\n` +
        `            this._requestContext.delete(req);\n` +
        `        }\n`
    }
  ]
}
