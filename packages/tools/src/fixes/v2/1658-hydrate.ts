import { constructorBlock, getter, getterDts, optionDocs, sendCapture, stateType, validator } from '../1658-hydrate-parts.js'
import { SERVER_PACKAGE } from '../../versions.js'
import { bundles, marker, type Edit, type Target } from '../types.js'

const m = marker('1658-hydrate')

/** From the web-standard transport's class head to a line inside it. */
const inTransport = (line: string) => new RegExp(`(var WebStandardStreamableHTTPServerTransport = class \\{[\\s\\S]*?\\n(\\s*)${line}\\n)`)

/** Restores the client's identity and the negotiated version from a continued transport (`indent`: the statements' indentation). */
const restore = (indent: string) =>
  [
    `// ${m}: a transport that continues a session (built with \`session\`) carries what the original`,
    `// initialize said; restore it so capability-gated requests (elicitation, sampling, roots),`,
    `// getClientCapabilities() and getClientVersion() work as on the original server. (A transport of`,
    `// @modelcontextprotocol/node wraps this package's, which holds the state.)`,
    'const mcpsState = transport ? transport.sessionState ?? transport._webStandardTransport?.sessionState : void 0;',
    'if (mcpsState !== void 0) {',
    '\tthis._clientCapabilities = mcpsState.clientCapabilities;',
    '\tthis._clientVersion = mcpsState.clientInfo;',
    '\tthis._negotiatedProtocolVersion = mcpsState.protocolVersion;',
    '}'
  ]
    .map(l => `${indent}${l}\n`)
    .join('')

/** Server.connect(): 2.3.0 gave Server a connect() of its own; before, the fix adds one. */
const serverConnect: Edit[] = [
  {
    name: 'server-connect',
    files: bundles(),
    versions: '>=2.3.0',
    find: /(var Server = class extends (?:[\w$]+\.)?Protocol \{[\s\S]*?\n\tasync connect\(transport\) \{\n[\s\S]*?\n)(\t\t)(await super\.connect\(transport\);\n)/,
    replace: (_all, head, indent, rest) => `${head}${restore(indent!)}${indent}${rest}`
  },
  {
    name: 'server-connect-added',
    files: bundles(),
    versions: '<2.3.0',
    find: /(var Server = class extends (?:[\w$]+\.)?Protocol \{[\s\S]*?\n)(\tasync _oninitialize\(request\) \{\n)/,
    replace: (_all, head, rest) => `${head}\tasync connect(transport) {\n${restore('\t\t')}\t\treturn super.connect(transport);\n\t}\n${rest}`
  }
]

/**
 * Fix 004 on `@modelcontextprotocol/server` 2.x. v2 keeps the same gate as v1:
 * a transport that did not run initialize answers 400 "Server not
 * initialized", and has no public way to be told the session. The transport
 * is in `dist/index.{mjs,cjs}`, the Server class in the hashed `mcp-<hash>` chunk.
 */
export const hydrateV2: Target = {
  package: SERVER_PACKAGE,
  description:
    'A transport that did not run initialize (another node, another process, a restart) answers every request of an ' +
    'existing session with 400 "Server not initialized", and there is no public way to tell it the session: people ' +
    'set the private _initialized and sessionId fields, and the MCP server still lacks the client capabilities, so ' +
    'elicitation, sampling and roots fail. (v2 steers such deployments to stateless mode; sessions on several nodes ' +
    'still need this.) WebStandardStreamableHTTPServerTransport now takes a `session` option (SessionState: ' +
    'sessionId, protocolVersion, clientInfo, clientCapabilities, plain JSON) that continues that session, exposes ' +
    '`sessionState`, and calls `onsessionstate` once per new session before the initialize response is written. ' +
    'Server.connect() restores the client capabilities, info and negotiated protocol version from a continued ' +
    'transport. Invalid session ids are rejected with a clear error.',
  upstreamSource:
    'packages/server/src/server/streamableHttp.ts: WebStandardStreamableHTTPServerTransportOptions, the constructor, ' +
    'start(), handlePostRequest() (the initialize branch) and send(); packages/server/src/server/server.ts: connect().',
  edits: [
    {
      name: 'remember-initialize',
      files: bundles(),
      find: inTransport('this\\._initialized = true;'),
      replace: (all, _g, i) => `${all}${i}// ${m}: remembered until its response is sent, see send().\n${i}this._mcpsInitRequest = messages.find(m => m && m.method === "initialize");\n`
    },
    {
      name: 'constructor',
      files: bundles(),
      find: inTransport('this\\._onsessionclosed = options\\.onsessionclosed;'),
      replace: (all, _g, i) => `${all}${constructorBlock(i!)}`
    },
    {
      name: 'getter',
      files: bundles(),
      find: /(var WebStandardStreamableHTTPServerTransport = class \{[\s\S]*?\n\s*this\._started = true;\n(\s*)\}\n)/,
      replace: (all, _g, outer) => `${all}${getter(outer!, 'return this._sessionState;')}`
    },
    {
      name: 'send-capture',
      files: bundles(),
      find: inTransport('async send\\(message, options\\) \\{'),
      replace: (all, _g, i) => `${all}${sendCapture(`${i}\t`)}`
    },
    {
      name: 'validator',
      files: bundles(),
      find: /\n(var WebStandardStreamableHTTPServerTransport = class \{\n)/,
      replace: (_all, rest) => `\n${validator.replace(/^\n/, '')}${rest}`
    },
    ...serverConnect,
    {
      name: 'dts-type',
      files: bundles('types'),
      find: /(\n)(\/\*\*\n \* Configuration options for \{@linkcode WebStandardStreamableHTTPServerTransport\}\n \*\/\ninterface WebStandardStreamableHTTPServerTransportOptions \{\n)/,
      replace: (_all, nl, rest) => `${nl}${stateType.replaceAll('new StreamableHTTPServerTransport', 'new WebStandardStreamableHTTPServerTransport')}${rest}`
    },
    {
      name: 'dts-options',
      files: bundles('types'),
      find: /(interface WebStandardStreamableHTTPServerTransportOptions \{[\s\S]*?\n(\s*)onsessioninitialized\?: [^\n]*\n)/,
      replace: (all, _g, i) => `${all}${optionDocs(i!)}`
    },
    {
      name: 'dts-getter',
      files: bundles('types'),
      find: /(declare class WebStandardStreamableHTTPServerTransport implements Transport \{[\s\S]*?\n(\s*)sessionId\?: string;\n)/,
      replace: (all, _g, i) => `${all}${getterDts(i!)}`
    }
  ]
}
