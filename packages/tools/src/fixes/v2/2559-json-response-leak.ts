import { settleOnceEntry } from '../2559-json-response-leak-parts.js'
import { SERVER_PACKAGE } from '../../versions.js'
import { bundles, marker, type Target } from '../types.js'

const m = marker('2559-json-response-leak')

/**
 * Fix 002 on `@modelcontextprotocol/server` 2.x, the close part only: v2
 * retires an answered JSON-mode POST's entry itself (upstream #2286). The
 * transport is in `dist/index.{mjs,cjs}`; its close() sets `_closed` before it
 * runs the stream cleanups, which tells a JSON-mode cleanup the session is ending.
 */
export const jsonResponseLeakV2: Target = {
  package: SERVER_PACKAGE,
  title: 'JSON-response mode: answer POSTs in flight when the session closes',
  description:
    'With enableJsonResponse, closing the transport (DELETE, close(), an application or a lifetime policy) while a ' +
    'POST is being handled left that HTTP request open forever: the stream entry\'s cleanup only deleted it and never ' +
    'settled the response. (The per-request leak of v1 is fixed in v2, upstream #2286.) Now a pending POST is settled ' +
    'exactly once: by its responses, or, when the transport gives up on it, by HTTP 503 with a JSON-RPC error (code ' +
    '-32000) per request id. The message says whether the session was closed (data.reason "session-closed": start a ' +
    'new session before retrying) or only the transport or response ("transport-closed", "response-closed"), and that ' +
    'the request may or may not have run. Why 503 and not 404: a 404 tells a client the server never processed the ' +
    'request, and recovering clients retry a 404 automatically; this request was accepted and may have had effects. ' +
    'The next request carrying the closed session id gets the usual 404, which starts a new session. SSE mode is unchanged.',
  upstreamSource:
    'packages/server/src/server/streamableHttp.ts: WebStandardStreamableHTTPServerTransport.handlePostRequest() ' +
    '(the enableJsonResponse branch that registers resolveJson/cleanup); close() already marks the transport closed ' +
    'before it runs the cleanups.',
  edits: [
    {
      name: 'json-entry-settles-once',
      files: bundles(),
      find: /(if \(this\._enableJsonResponse\) )return new Promise\(\(resolve\) => \{\n(\s*)this\._streamMapping\.set\(streamId, \{\n\s*resolveJson: resolve,\n\s*cleanup: \(\) => \{\n\s*this\._streamMapping\.delete\(streamId\);\n\s*\}\n\s*\}\);\n/,
      replace: (_all, head, inner) => `${head}return new Promise((resolve) => {\n${settleOnceEntry(inner!, '\t', 'this._closed === true')}`
    },
    {
      name: 'dts-json-mode',
      files: bundles('types'),
      find: /(\n(\s*)\* Default is `false` \(SSE streams are preferred\)\.\n)(\s*\*\/\n\s*enableJsonResponse\?: boolean;)/,
      replace: (_all, head, i, rest) =>
        `${head}${i}*\n` +
        `${i}* Closing the transport (DELETE, close(), a lifetime policy) answers every POST still waiting with HTTP 503\n` +
        `${i}* and a JSON-RPC error (code -32000) for each of its requests instead of leaving it open; \`error.data.reason\`\n` +
        `${i}* is \`'session-closed'\` when the transport had a session id (start a new session before retrying) and\n` +
        `${i}* \`'transport-closed'\` otherwise. The request may or may not have run. (${m})\n` +
        rest
    }
  ]
}
