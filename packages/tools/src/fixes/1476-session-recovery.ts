import { optionsDeclaration, recoveryMethods, v1Dialect } from './1476-session-recovery-methods.js'
import { marker, type Fix } from './types.js'
import { sessionRecoveryV2 } from './v2/1476-session-recovery.js'

const slug = '1476-session-recovery'
const m = marker(slug)
const js = ['dist/esm/client/streamableHttp.js', 'dist/cjs/client/streamableHttp.js']
const dts = ['dist/esm/client/streamableHttp.d.ts', 'dist/cjs/client/streamableHttp.d.ts']

export const sessionRecovery: Fix = {
  slug,
  title: 'Optionally re-initialize and retry once when the session expired',
  description:
    'Clearing the stale session id on 404 stops the endless 404s, but the application still sees a failed ' +
    'call and must rebuild its client. With the new option recoverSession: true (off by default), a 404 for ' +
    'a request that carried the session id makes StreamableHTTPClientTransport start a new session itself: ' +
    'it replays the initialize request the Client sent (same client info and capabilities) without a ' +
    'session id, sends notifications/initialized (which re-opens the GET stream), retries the failed request ' +
    'exactly once (a 404 for an unknown session means the server never processed it), and reports the change ' +
    'through onsessionrecovered(previousSessionId, sessionId). Requests that fail together share one ' +
    're-initialize; requests sent while it runs wait for it. A 404 right after a recovery, or a failed ' +
    're-initialize, is surfaced, never looped. Server-side state of the old session (subscriptions, logging ' +
    'level) is not restored: re-establish it in the callback. Builds on 1708-client-404.',
  bugs: [
    'https://github.com/modelcontextprotocol/typescript-sdk/issues/1476',
    'https://github.com/modelcontextprotocol/typescript-sdk/issues/1708',
    'https://github.com/modelcontextprotocol/typescript-sdk/pull/2150',
    'https://github.com/modelcontextprotocol/typescript-sdk/pull/2466'
  ],
  spec: 'https://modelcontextprotocol.io/specification/2025-11-25/basic/transports#session-management (rule 4)',
  forwarded: 'no',
  lastUpdate: '2026-11-22',
  test: 'tests/fixes/1476-session-recovery.test.ts',
  targets: [sessionRecoveryV2],
  upstreamSource:
    'src/client/streamableHttp.ts: StreamableHTTPClientTransportOptions (recoverSession, onsessionrecovered), the ' +
    'constructor, send() (remember the initialize request; wait for a running recovery; on a session 404 ' +
    'recover and retry once) and _startOrAuthSse() (on a session 404 recover, which re-opens the stream); new ' +
    'private helpers for the re-initialize.',
  edits: [
    {
      name: 'options',
      files: js,
      find: /(\n(\s*)this\._sessionId = [^\n]*opts[^\n]*sessionId;\n)/,
      replace: (all, _l, indent) =>
        `${all}${indent}// ${m}: opt-in recovery after a session 404.\n` +
        `${indent}this._mcpsRecover = !!(opts && opts.recoverSession);\n` +
        `${indent}this._mcpsOnRecovered = opts && opts.onsessionrecovered;\n`
    },
    {
      name: 'remember-initialize',
      files: js,
      find: /(\n(\s*)const \{ resumptionToken, onresumptiontoken \} = options \|\| \{\};\n)/,
      replace: (all, _l, indent) =>
        `${all}${indent}// ${m}: remember initialize to replay it; let requests wait for a running recovery.\n` +
        `${indent}if (message && !Array.isArray(message) && message.method === 'initialize') {\n` +
        `${indent}    this._mcpsInitializeRequest = message;\n` +
        `${indent}}\n` +
        `${indent}else if (!(options && (options.mcpsInternal || options.mcpsRetry))) {\n` +
        `${indent}    if (this._mcpsRecovery) {\n` +
        `${indent}        await this._mcpsRecovery.catch(() => { });\n` +
        `${indent}    }\n` +
        `${indent}    else if (this._mcpsRecover && this._mcpsPendingRecovery && this._sessionId === undefined) {\n` +
        `${indent}        await this._mcpsRecoverSession(this._mcpsPendingRecovery);\n` +
        `${indent}    }\n` +
        `${indent}}\n`
    },
    {
      name: 'post-recover',
      files: js,
      find: /(\n(\s*))(throw new StreamableHTTPError\(404, `Session expired: the server answered 404 Not Found to a POST)/,
      replace: (_all, nl, indent, rest) =>
        `${nl}// ${m}: start a new session and retry this message once.\n` +
        `${indent}if (this._mcpsShouldRecover(sentSessionId, options) && !(message && message.method === 'initialize')) {\n` +
        `${indent}    await this._mcpsRecoverSession(sentSessionId);\n` +
        `${indent}    return this.send(message, Object.assign({}, options, { mcpsRetry: true }));\n` +
        `${indent}}\n` +
        `${indent}${rest}`
    },
    {
      name: 'get-recover',
      files: js,
      find: /(\n(\s*))(throw new StreamableHTTPError\(404, `Session expired: the server answered 404 Not Found to the GET stream)/,
      replace: (_all, nl, indent, rest) =>
        `${nl}// ${m}: a new session re-opens the GET stream itself (notifications/initialized).\n` +
        `${indent}if (this._mcpsShouldRecover(sentSessionId, undefined)) {\n` +
        `${indent}    await this._mcpsRecoverSession(sentSessionId);\n` +
        `${indent}    return;\n` +
        `${indent}}\n` +
        `${indent}${rest}`
    },
    {
      name: 'streak-reset',
      files: js,
      find: /(\n(\s*)this\._hasCompletedAuthFlow = false;\n)(?!\s*\/\/)/,
      replace: (all, _l, indent) =>
        `${all}${indent}if (!(options && options.mcpsInternal)) {\n` +
        `${indent}    this._mcpsRecoveryStreak = 0; // ${m}: the session serves requests again.\n` +
        `${indent}}\n`
    },
    {
      name: 'methods',
      files: js,
      find: /\n(    get sessionId\(\) \{)/,
      replace: (_all, rest) => `\n${recoveryMethods('    ', v1Dialect)}${rest}`
    },
    {
      name: 'dts-options',
      files: dts,
      find: /(\n(\s*)sessionId\?: string;\n)/,
      replace: (all, _l, indent) => `${all}${optionsDeclaration(indent)}`
    }
  ]
}
