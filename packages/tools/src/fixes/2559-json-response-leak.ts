import { dtsDoc, indented, interruptedAnswer, settleOnceEntry } from './2559-json-response-leak-parts.js'
import { marker, type Fix } from './types.js'
import { jsonResponseLeakV2 } from './v2/2559-json-response-leak.js'

const slug = '2559-json-response-leak'
const m = marker(slug)
const webJs = ['dist/esm/server/webStandardStreamableHttp.js', 'dist/cjs/server/webStandardStreamableHttp.js']
const webDts = ['dist/esm/server/webStandardStreamableHttp.d.ts', 'dist/cjs/server/webStandardStreamableHttp.d.ts']
const nodeJs = ['dist/esm/server/streamableHttp.js', 'dist/cjs/server/streamableHttp.js']
const nodeDts = ['dist/esm/server/streamableHttp.d.ts', 'dist/cjs/server/streamableHttp.d.ts']

/** 1.25.0 split the server transport into a web-standard core and a thin Node wrapper. */
const WEB = '>=1.25.0'
const NODE_ONLY = '<1.25.0'

/** Set by close() just before it runs the stream cleanups, so a JSON-mode cleanup knows the session is ending. */
const CLOSING_FLAG = '_sweepingOnClose'

export const jsonResponseLeak: Fix = {
  slug,
  title: 'JSON-response mode: retire answered POSTs, answer pending ones on close',
  description:
    'With enableJsonResponse the server transport kept one stream-mapping entry (with its resolver closure) per ' +
    'answered POST until the session closed: send() resolved the HTTP response but never retired the entry, so a ' +
    'long-lived session grew by about 5 KB of heap per request. The reverse gap: the entry\'s cleanup only deleted ' +
    'it, so close() (DELETE, an application or a lifetime policy) left every JSON-mode POST still being handled ' +
    'open forever (1.25 and later); the 1.24 Node-only transport ended it with an empty 200 that no client can ' +
    'parse. Now send() retires the entry once it has answered, and a pending POST is settled exactly once: by its ' +
    'responses, or, when the transport gives up on it, by HTTP 503 with a JSON-RPC error (code -32000) per request ' +
    'id. The message says whether the session was closed (data.reason "session-closed": start a new session before ' +
    'retrying) or only the transport or response ("transport-closed", "response-closed"), and that the request may ' +
    'or may not have run. Why 503 and not 404: a 404 tells a client the server never processed the request (the ' +
    'spec\'s 404 rule is for requests that arrive after the session ended), and recovering clients retry a 404 ' +
    'automatically; this request was accepted and may have had effects. The next request carrying the closed ' +
    'session id gets the usual 404, which starts a new session. SSE mode is unchanged. The 1.24 transport already ' +
    'retired its entries on the response\'s close event; only its close() is changed.',
  bugs: [
    'https://github.com/modelcontextprotocol/typescript-sdk/issues/2559',
    'https://github.com/modelcontextprotocol/typescript-sdk/pull/2747'
  ],
  spec: 'https://modelcontextprotocol.io/specification/2025-11-25/basic/transports#session-management (rules 3 and 4)',
  forwarded: 'no',
  lastUpdate: '2026-11-22',
  test: 'tests/fixes/2559-json-response-leak.test.ts',
  targets: [jsonResponseLeakV2],
  upstreamSource:
    'src/server/webStandardStreamableHttp.ts: handlePostRequest() (the enableJsonResponse branch that registers ' +
    'resolveJson/cleanup), send() (the JSON branch once all responses are ready) and close() (before the stream ' +
    'cleanups); for 1.24, src/server/streamableHttp.ts close().',
  edits: [
    {
      name: 'json-entry-settles-once',
      versions: WEB,
      files: webJs,
      find: /\n(\s*)return new Promise\(resolve => \{\n\s*this\._streamMapping\.set\(streamId, \{\n\s*resolveJson: resolve,\n\s*cleanup: \(\) => \{\n\s*this\._streamMapping\.delete\(streamId\);\n\s*\}\n\s*\}\);\n/,
      replace: (_all, i: string) => `\n${i}return new Promise(resolve => {\n${settleOnceEntry(`${i}    `, '    ', `this.${CLOSING_FLAG} === true`)}`
    },
    {
      name: 'send-json-retires-entry',
      versions: WEB,
      files: webJs,
      find: /(stream\.resolveJson\(new Response\(JSON\.stringify\(responses\), \{ status: 200, headers \}\)\);\n(\s*)\}\n)/,
      replace: (all, _g, i: string) =>
        `${all}${i}// ${m}: the POST is answered; retire its stream\n` +
        `${i}// entry too, or every answered POST keeps one (with its resolver) until the session closes.\n` +
        `${i}stream.cleanup();\n`
    },
    {
      name: 'close-marks-sweep',
      versions: WEB,
      files: webJs,
      find: /\n(\s*)((?:\/\/ Close all SSE connections[^\n]*\n\s*)?this\._streamMapping\.forEach\(\(\{ cleanup \}\) => \{)/,
      replace: (_all, i: string, rest: string) =>
        `\n${i}// ${m}: the cleanups below end the session, so a\n` +
        `${i}// JSON-mode POST still waiting is answered "Session closed" (see handlePostRequest), not left open.\n` +
        `${i}this.${CLOSING_FLAG} = true;\n` +
        `${i}${rest}`
    },
    {
      name: 'close-answers-json-posts',
      versions: NODE_ONLY,
      files: nodeJs,
      find: /\n(\s*)(this\._streamMapping\.forEach\(response => \{)/,
      replace: (_all, i: string, rest: string) => {
        const s = '    '
        return (
          `\n${i}// ${m}: a JSON-mode POST has sent no headers until\n` +
          `${i}// send() answers it, and end() below would give it an empty 200 that no client can parse.\n` +
          `${i}// Answer it with a JSON-RPC error instead.\n` +
          `${i}if (this._enableJsonResponse) {\n` +
          `${i}${s}for (const [streamId, response] of this._streamMapping) {\n` +
          `${i}${s}${s}if (streamId === this._standaloneSseStreamId || response.headersSent) {\n` +
          `${i}${s}${s}${s}continue;\n` +
          `${i}${s}${s}}\n` +
          `${i}${s}${s}this._streamMapping.delete(streamId);\n` +
          `${i}${s}${s}const requestIds = [];\n` +
          `${i}${s}${s}for (const [id, sid] of this._requestToStreamMapping) {\n` +
          `${i}${s}${s}${s}if (sid === streamId) {\n` +
          `${i}${s}${s}${s}${s}requestIds.push(id);\n` +
          `${i}${s}${s}${s}}\n` +
          `${i}${s}${s}}\n` +
          `${i}${s}${s}for (const id of requestIds) {\n` +
          `${i}${s}${s}${s}this._requestToStreamMapping.delete(id);\n` +
          `${i}${s}${s}${s}this._requestResponseMap.delete(id);\n` +
          `${i}${s}${s}}\n` +
          indented(`${i}${s}${s}`, interruptedAnswer('true')) +
          `${i}${s}${s}try {\n` +
          `${i}${s}${s}${s}response.writeHead(status, { 'Content-Type': 'application/json' }).end(body);\n` +
          `${i}${s}${s}}\n` +
          `${i}${s}${s}catch {\n` +
          `${i}${s}${s}${s}// The client is already gone; nothing is waiting for the answer.\n` +
          `${i}${s}${s}}\n` +
          `${i}${s}}\n` +
          `${i}}\n` +
          `${i}${rest}`
        )
      }
    },
    {
      name: 'dts-json-mode',
      files: webDts,
      versions: WEB,
      find: /(\n(\s*)\* Default is false \(SSE streams are preferred\)\.\n)(\s*\*\/\n\s*enableJsonResponse\?: boolean;)/,
      replace: (_all, head: string, i: string, rest: string) => `${head}${dtsDoc(i)}${rest}`
    },
    {
      name: 'dts-json-mode-node',
      files: nodeDts,
      versions: NODE_ONLY,
      find: /(\n(\s*)\* Default is false \(SSE streams are preferred\)\.\n)(\s*\*\/\n\s*enableJsonResponse\?: boolean;)/,
      replace: (_all, head: string, i: string, rest: string) => `${head}${dtsDoc(i)}${rest}`
    }
  ]
}
