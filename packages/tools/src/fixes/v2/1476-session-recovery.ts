import { optionsDeclaration, recoveryMethods, type Dialect } from '../1476-session-recovery-methods.js'
import { CLIENT_PACKAGE } from '../../versions.js'
import { bundles, marker, type Target } from '../types.js'

const m = marker('1476-session-recovery')

/** The v2 transport: `SdkHttpError(code, message, { status })` (names as the bundle spells them), a reconnection canceller, a redirect policy. */
const v2Dialect = (errorClass: string, codes: string): Dialect => ({
  error: (status, message) => `new ${errorClass}(${codes}.ClientHttpNotImplemented, \`${message}\`, { status: ${status} })`,
  fetch: '(this._redirects ? this._redirects(this._fetch || fetch) : (this._fetch || fetch))',
  cancelReconnection: [`    if (this._cancelReconnection) {`, `        this._cancelReconnection();`, `        this._cancelReconnection = undefined;`, `    }`]
})

/** How a bundle names what the edits need from its shared chunk: `SdkHttpError` (esm) or `require_src.SdkHttpError` (cjs). */
const ref = (name: string) => `((?:[\\w$]+\\.)?${name})`

/**
 * Fix 005 on `@modelcontextprotocol/client` 2.x. The transport part is the v1
 * fix (dist/index.{mjs,cjs}); v2 also needs the Client (dist/index.* before
 * 2.4.0, the hashed `public-<hash>` chunk from 2.4.0): `connect()` skips
 * initialize for a transport that already has a session id, so there was no
 * initialize to replay. It now hands the transport the one it would send.
 */
export const sessionRecoveryV2: Target = {
  package: CLIENT_PACKAGE,
  description:
    'Clearing the stale session id on 404 stops the endless 404s, but the application still sees a failed call and ' +
    'must rebuild its client; and Client.connect() on a transport built with a sessionId (an app resuming a stored ' +
    'session) skips initialize, so a session the server forgot answers 404 forever. With the new option ' +
    'recoverSession: true (off by default), a 404 for a request that carried the session id makes ' +
    'StreamableHTTPClientTransport start a new session itself: it replays the initialize request the Client sent ' +
    '(same client info and capabilities; for a resumed session, the one the Client would have sent) without a ' +
    'session id, sends notifications/initialized (which re-opens the GET stream), retries the failed request exactly ' +
    'once, and reports the change through onsessionrecovered(previousSessionId, sessionId). Requests that fail ' +
    'together share one re-initialize; requests sent while it runs wait for it. A 404 right after a recovery, or a ' +
    'failed re-initialize, is surfaced, never looped. Server-side state of the old session is not restored: ' +
    're-establish it in the callback. Builds on 1708-client-404.',
  upstreamSource:
    'packages/client/src/client/streamableHttp.ts: StreamableHTTPClientTransportOptions (recoverSession, ' +
    'onsessionrecovered), the constructor, _send() (remember the initialize request; wait for a running recovery; on ' +
    'a session 404 recover and retry once) and _startOrAuthSse() (on a session 404 recover, which re-opens the ' +
    'stream); new private helpers for the re-initialize. packages/client/src/client/client.ts: _connectPlainLegacy() ' +
    '(a transport that continues a session gets the initialize request the Client would send).',
  edits: [
    {
      name: 'options',
      files: bundles(),
      find: /(\n(\s*)this\._sessionId = opts\?\.sessionId;\n)/,
      replace: (all, _l, indent) =>
        `${all}${indent}// ${m}: opt-in recovery after a session 404.\n` +
        `${indent}this._mcpsRecover = !!(opts && opts.recoverSession);\n` +
        `${indent}this._mcpsOnRecovered = opts && opts.onsessionrecovered;\n`
    },
    {
      name: 'remember-initialize',
      files: bundles(),
      find: /(\n(\s*)const \{ resumptionToken, onresumptiontoken \} = options \|\| \{\};\n)/,
      replace: (all, _l, indent) =>
        `${all}${indent}// ${m}: remember initialize to replay it; let requests wait for a running recovery.\n` +
        `${indent}if (message && !Array.isArray(message) && message.method === "initialize") this._mcpsInitializeRequest = message;\n` +
        `${indent}else if (!(options && (options.mcpsInternal || options.mcpsRetry))) {\n` +
        `${indent}\tif (this._mcpsRecovery) await this._mcpsRecovery.catch(() => {});\n` +
        `${indent}\telse if (this._mcpsRecover && this._mcpsPendingRecovery && this._sessionId === void 0) await this._mcpsRecoverSession(this._mcpsPendingRecovery);\n` +
        `${indent}}\n`
    },
    {
      name: 'post-recover',
      files: bundles(),
      find: /(\n(\s*))(throw new (?:[\w$]+\.)?SdkHttpError\((?:[\w$]+\.)?SdkErrorCode\.ClientHttpNotImplemented, `Session expired: the server answered 404 Not Found to a POST)/,
      replace: (_all, nl, indent, rest) =>
        `${nl}// ${m}: start a new session and retry this message once.\n` +
        `${indent}if (this._mcpsShouldRecover(sentSessionId, options) && !(message && message.method === "initialize")) {\n` +
        `${indent}\tawait this._mcpsRecoverSession(sentSessionId);\n` +
        `${indent}\treturn this.send(message, Object.assign({}, options, { mcpsRetry: true }));\n` +
        `${indent}}\n` +
        `${indent}${rest}`
    },
    {
      name: 'get-recover',
      files: bundles(),
      find: /(\n(\s*))(throw new (?:[\w$]+\.)?SdkHttpError\((?:[\w$]+\.)?SdkErrorCode\.ClientHttpFailedToOpenStream, `Session expired: the server answered 404 Not Found to the GET stream)/,
      replace: (_all, nl, indent, rest) =>
        `${nl}// ${m}: a new session re-opens the GET stream itself (notifications/initialized).\n` +
        `${indent}if (this._mcpsShouldRecover(sentSessionId, void 0)) {\n` +
        `${indent}\tawait this._mcpsRecoverSession(sentSessionId);\n` +
        `${indent}\treturn;\n` +
        `${indent}}\n` +
        `${indent}${rest}`
    },
    {
      name: 'streak-reset',
      files: bundles(),
      find: /(\n(\s*))(if \(response\.status === 202\) \{\n\s*await response\.text\?\.\(\)\.catch\(\(\) => \{\}\);\n\s*if \((?:[\w$]+\.)?isInitializedNotification\()/,
      replace: (_all, nl, indent, rest) => `${nl}if (!(options && options.mcpsInternal)) this._mcpsRecoveryStreak = 0; // ${m}: the session serves requests again.\n${indent}${rest}`
    },
    {
      name: 'methods',
      files: bundles(),
      find: new RegExp(`(throw new ${ref('SdkHttpError')}\\(${ref('SdkErrorCode')}\\.ClientHttpNotImplemented, \`Error POSTing[\\s\\S]*?\\n)(\\tget sessionId\\(\\) \\{)`),
      replace: (_all, before, errorClass, codes, getter) => `${before}${recoveryMethods('\t', v2Dialect(errorClass!, codes!))}${getter}`
    },
    {
      name: 'client-resumed-session',
      files: bundles(),
      find: new RegExp(
        `(async _connectPlainLegacy\\(transport, options\\) \\{\\n\\s*await super\\.connect\\(transport\\);\\n(\\s*)if \\(transport\\.sessionId !== void 0\\) \\{\\n)` +
          `([\\s\\S]*?const legacyVersions = ${ref('legacyProtocolVersions')}\\(this\\._supportedProtocolVersions\\);)`
      ),
      replace: (_all, head, indent, rest, legacy) =>
        `${head}${indent}\t// ${m}: initialize is skipped for a transport that continues a session; give it the one this\n` +
        `${indent}\t// Client would send, so that recoverSession can start a new session when the server forgot this one.\n` +
        `${indent}\tif (typeof transport._mcpsRecoverSession === "function" && transport._mcpsInitializeRequest === void 0) transport._mcpsInitializeRequest = {\n` +
        `${indent}\t\tjsonrpc: "2.0",\n` +
        `${indent}\t\tid: 0,\n` +
        `${indent}\t\tmethod: "initialize",\n` +
        `${indent}\t\tparams: { protocolVersion: ${legacy}(this._supportedProtocolVersions)[0], capabilities: this._capabilities, clientInfo: this._clientInfo }\n` +
        `${indent}\t};\n` +
        rest
    },
    {
      name: 'dts-options',
      files: bundles('types'),
      find: /(\n(\s*)sessionId\?: string;\n(?=\s*\/\*\*\n\s*\* The MCP protocol version to include))/,
      replace: (all, _l, indent) => `${all}${optionsDeclaration(indent)}`
    }
  ]
}
