import { marker, type Fix } from './types.js'
import { clientNotFoundV2, declarationEdits } from './v2/1708-client-404.js'

const slug = '1708-client-404'
const m = marker(slug)
const js = ['dist/esm/client/streamableHttp.js', 'dist/cjs/client/streamableHttp.js']
const dts = ['dist/esm/client/streamableHttp.d.ts', 'dist/cjs/client/streamableHttp.d.ts']

/** The error text a caller sees; it keeps the status and says what happened and what to do. */
const expired = (what: string) =>
  `\`Session expired: the server answered 404 Not Found to ${what} for session \${sentSessionId}. ` +
  'The session id was cleared; send initialize to start a new session.`'

export const clientNotFound: Fix = {
  slug,
  title: 'Clear the client session id when the server answers 404',
  description:
    'A server that terminated a session (or restarted) answers 404 to every request carrying its id. ' +
    'StreamableHTTPClientTransport kept the stale id, so every later request, POST or the GET stream and ' +
    'its reconnections, failed with 404 until the process restarted. Spec, Session Management, rule 4: a ' +
    'client receiving 404 for a request carrying a session id MUST start a new session. The transport now ' +
    'clears the id when a POST or GET that carried one gets 404, throws a StreamableHTTPError with code ' +
    '404 that says the session expired, stops reconnecting the GET stream, and terminateSession() treats ' +
    '404 as already terminated. A 404 for a request without an id, and every other status, keep the id.',
  bugs: [
    'https://github.com/modelcontextprotocol/typescript-sdk/issues/1708',
    'https://github.com/modelcontextprotocol/typescript-sdk/pull/2086',
    'https://github.com/modelcontextprotocol/typescript-sdk/issues/2125'
  ],
  spec: 'https://modelcontextprotocol.io/specification/2025-11-25/basic/transports#session-management (rule 4)',
  forwarded: 'no',
  lastUpdate: '2026-11-22',
  test: 'tests/fixes/1708-client-404.test.ts',
  targets: [clientNotFoundV2],
  upstreamSource:
    'src/client/streamableHttp.ts: StreamableHTTPClientTransport.send() (the !response.ok branch), ' +
    '_startOrAuthSse() (before the generic "Failed to open SSE stream" throw), _scheduleReconnection() ' +
    '(the retry in the catch) and terminateSession() (the status check).',
  edits: [
    {
      name: 'post-404',
      files: js,
      find: /(\n(\s*)const text = await response\.text\(\)\.catch\(\(\) => null\);\n)/,
      replace: (all, _line, indent) =>
        `${all}${indent}// ${m}: spec rule 4, a 404 for a request that carried a session id ends that session.\n` +
        `${indent}const sentSessionId = headers.get('mcp-session-id');\n` +
        `${indent}if (response.status === 404 && sentSessionId) {\n` +
        `${indent}    // A late 404 for an older id must not clear a newer one.\n` +
        `${indent}    if (this._sessionId === sentSessionId) {\n` +
        `${indent}        this._sessionId = undefined;\n` +
        `${indent}    }\n` +
        `${indent}    throw new StreamableHTTPError(404, ${expired('a POST')});\n` +
        `${indent}}\n`
    },
    {
      name: 'get-404',
      files: js,
      find: /(\n(\s*))(throw new StreamableHTTPError\(response\.status, `Failed to open SSE stream: )/,
      replace: (_all, nl, indent, rest) =>
        `${nl}// ${m}: the GET stream (first open or a reconnection) follows the same rule as POST.\n` +
        `${indent}const sentSessionId = headers.get('mcp-session-id');\n` +
        `${indent}if (response.status === 404 && sentSessionId) {\n` +
        `${indent}    // A late 404 for an older id must not clear a newer one.\n` +
        `${indent}    if (this._sessionId === sentSessionId) {\n` +
        `${indent}        this._sessionId = undefined;\n` +
        `${indent}    }\n` +
        `${indent}    throw new StreamableHTTPError(404, ${expired('the GET stream')});\n` +
        `${indent}}\n` +
        `${indent}${rest}`
    },
    {
      name: 'reconnect-stop',
      files: js,
      find: /(\n(\s*))(this\._scheduleReconnection\(options, attemptCount \+ 1\);)/,
      replace: (_all, nl, indent, rest) =>
        `${nl}// ${m}: a session that is gone has no stream to reconnect to.\n` +
        `${indent}if (error instanceof StreamableHTTPError && error.code === 404) {\n` +
        `${indent}    return;\n` +
        `${indent}}\n` +
        `${indent}${rest}`
    },
    {
      name: 'terminate-404',
      files: js,
      find: /if \(!response\.ok && response\.status !== 405\) \{/,
      replace:
        `// ${m}: 404 means the server already ended the session.\n` +
        '            if (!response.ok && response.status !== 405 && response.status !== 404) {'
    },
    ...declarationEdits(dts, /(\n(\s*))(get sessionId\(\): string \| undefined;)/)
  ]
}
