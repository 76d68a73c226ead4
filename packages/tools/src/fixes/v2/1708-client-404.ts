import { CLIENT_PACKAGE } from '../../versions.js'
import { bundles, marker, type Edit, type Target } from '../types.js'

const m = marker('1708-client-404')

/**
 * The throw that ends a failed POST or GET, with the way this bundle names the
 * error class: `SdkHttpError` in the esm build, `require_src.SdkHttpError` in
 * the cjs one. 2.4.0 computes a `reason` on the line before.
 */
const failedThrow = (code: string) => new RegExp(`(\\n(\\s*))((?:const reason = [^\\n]*\\n\\s*)?throw new ((?:[\\w$]+\\.)?SdkHttpError)\\(((?:[\\w$]+\\.)?SdkErrorCode)\\.${code}, )`)

/** The check both request paths add before their generic throw; keeps the status and the code upstream uses there. */
const expiredCheck = (indent: string, what: string, errorClass: string, codes: string, code: string) =>
  `${indent}// ${m}: spec rule 4, a 404 for a request that carried a session id ends that session.\n` +
  `${indent}const sentSessionId = headers.get("mcp-session-id");\n` +
  `${indent}if (response.status === 404 && sentSessionId) {\n` +
  `${indent}\t// A late 404 for an older id must not clear a newer one.\n` +
  `${indent}\tif (this._sessionId === sentSessionId) this._sessionId = void 0;\n` +
  `${indent}\tthrow new ${errorClass}(${codes}.${code}, \`Session expired: the server answered 404 Not Found to ${what} for session \${sentSessionId}. ` +
  'The session id was cleared; start a new session (initialize), e.g. by connecting the Client to a new transport.`, {\n' +
  `${indent}\t\tstatus: response.status,\n` +
  `${indent}\t\tstatusText: response.statusText${what === 'a POST' ? ',\n' + indent + '\t\ttext' : ''}\n` +
  `${indent}\t});\n` +
  `${indent}}\n`

/**
 * The declaration comments, the same on both SDK generations. `sessionId`
 * finds the getter with three groups: what comes before it, its indentation,
 * the getter itself.
 */
export function declarationEdits(files: string[], sessionId: RegExp): Edit[] {
  return [
    {
      name: 'dts-session-id',
      files,
      find: sessionId,
      replace: (_all, head, indent, rest) =>
        `${head}/**\n` +
        `${indent} * The current session id. Cleared when the server answers 404 to a request that carried it\n` +
        `${indent} * (POST or the GET stream): the session is gone and the next initialize starts a new one.\n` +
        `${indent} * (${m})\n` +
        `${indent} */\n` +
        `${indent}${rest}`
    },
    {
      name: 'dts-terminate',
      files,
      find: /(\n(\s*)\*\/\n\s*terminateSession\(\): Promise<void>;)/,
      replace: (all, _g, indent) => `\n${indent}*\n${indent}* A 404 answer means the session was already terminated and is not an error. (${m})` + all
    }
  ]
}

/** Fix 001 on `@modelcontextprotocol/client` 2.x: the transport lives in `dist/index.{mjs,cjs}`, typed in `index.d.{mts,cts}`. */
export const clientNotFoundV2: Target = {
  package: CLIENT_PACKAGE,
  description:
    'A server that terminated a session (or restarted) answers 404 to every request carrying its id. ' +
    'StreamableHTTPClientTransport takes a session id only from a successful initialize, but it keeps the stale ' +
    'one after a 404, so every later request, POST or the GET stream and its reconnections, fails with 404 until ' +
    'the application builds a new transport; there is no public way to clear the id, and terminateSession() clears ' +
    'it only on 2xx or 405. Spec, Session Management, rule 4: a client receiving 404 for a request carrying a ' +
    'session id MUST start a new session. The transport now clears the id when a POST or GET that carried one gets ' +
    '404, throws an SdkHttpError with status 404 that says the session expired, stops reconnecting the GET stream, ' +
    'and terminateSession() treats 404 as already terminated. A 404 for a request without an id, and every other ' +
    'status, keep the id.',
  upstreamSource:
    'packages/client/src/client/streamableHttp.ts: StreamableHTTPClientTransport._send() (before the generic ' +
    '"Error POSTing to endpoint" throw), _startOrAuthSse() (before the "Failed to open SSE stream" throw), ' +
    '_scheduleReconnection() (the catch of a reconnection) and terminateSession() (the status check).',
  edits: [
    {
      name: 'post-404',
      files: bundles(),
      find: failedThrow('ClientHttpNotImplemented'),
      replace: (_all, nl, indent, rest, errorClass, codes) => `${nl}${expiredCheck('', 'a POST', errorClass!, codes!, 'ClientHttpNotImplemented').replaceAll('\n', `\n${indent}`)}${rest}`
    },
    {
      name: 'get-404',
      files: bundles(),
      find: failedThrow('ClientHttpFailedToOpenStream'),
      replace: (_all, nl, indent, rest, errorClass, codes) => `${nl}${expiredCheck('', 'the GET stream', errorClass!, codes!, 'ClientHttpFailedToOpenStream').replaceAll('\n', `\n${indent}`)}${rest}`
    },
    {
      name: 'reconnect-stop',
      files: bundles(),
      find: /(\n(\s*))(this\.onerror\?\.\(\/\* @__PURE__ \*\/ new Error\(`Failed to reconnect SSE stream: )/,
      replace: (_all, nl, indent, rest) =>
        `${nl}// ${m}: a session that is gone has no stream to reconnect to (the 404 was reported already).\n` +
        `${indent}if (error?.status === 404) return;\n` +
        `${indent}${rest}`
    },
    {
      name: 'terminate-404',
      files: bundles(),
      find: /if \(!response\.ok && response\.status !== 405\) throw new/,
      replace: `if (!response.ok && response.status !== 405 && response.status !== 404 /* ${m}: 404 means the server already ended the session */) throw new`
    },
    ...declarationEdits(bundles('types'), /(\n\s*private _send;\n(\s*))(get sessionId\(\): string \| undefined;)/)
  ]
}
