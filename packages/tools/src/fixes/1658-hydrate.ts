import { constructorBlock, getter, getterDts, optionDocs, sendCapture, stateType, validator } from './1658-hydrate-parts.js'
import { marker, type Fix } from './types.js'
import { hydrateV2 } from './v2/1658-hydrate.js'

const slug = '1658-hydrate'
const m = marker(slug)
const both = (path: string) => [`dist/esm/${path}`, `dist/cjs/${path}`]

/** Where the session logic lives: the web-standard transport from 1.25, the Node-only one before. */
const core = [
  { versions: '>=1.25.0', js: both('server/webStandardStreamableHttp.js'), dts: both('server/webStandardStreamableHttp.d.ts'), tag: 'web' },
  { versions: '<1.25.0', js: both('server/streamableHttp.js'), dts: both('server/streamableHttp.d.ts'), tag: 'node' }
]

export const hydrate: Fix = {
  slug,
  title: 'Continue a session on a new server transport (session option)',
  description:
    'A transport that did not run initialize (another node, another process, a restart) answers every ' +
    'request of an existing session with 400 "Server not initialized", and there was no public way to ' +
    'tell it the session: people set the private _initialized and sessionId fields, and the MCP server ' +
    'still lacked the client capabilities, so elicitation, sampling and roots failed. The server ' +
    'transports now take a `session` option (SessionState: sessionId, protocolVersion, clientInfo, ' +
    'clientCapabilities, plain JSON) that continues that session, expose `sessionState`, and call ' +
    '`onsessionstate` once per new session before the initialize response is written. Server.connect() ' +
    'restores the client capabilities and info from a continued transport. Invalid session ids are ' +
    'rejected with a clear error.',
  bugs: [
    'https://github.com/modelcontextprotocol/typescript-sdk/issues/1658',
    'https://github.com/modelcontextprotocol/typescript-sdk/issues/1882'
  ],
  spec: 'https://modelcontextprotocol.io/specification/2025-11-25/basic/transports#session-management (rules 1-3)',
  forwarded: 'no',
  lastUpdate: '2026-11-22',
  test: 'tests/fixes/1658-hydrate.test.ts',
  targets: [hydrateV2],
  upstreamSource:
    'src/server/webStandardStreamableHttp.ts (1.25+) or src/server/streamableHttp.ts (1.24): the options, ' +
    'the constructor, start(), handlePostRequest() (the initialize branch) and send(); ' +
    'src/server/streamableHttp.ts (1.25+): the sessionState getter; src/server/index.ts: connect().',
  edits: [
    ...core.flatMap(({ versions, js, dts, tag }) => [
      {
        name: `remember-initialize-${tag}`,
        files: js,
        versions,
        find: /(\n(\s*)this\._initialized = true;\n)/,
        replace: (all: string, _g: string, i: string) =>
          `${all}${i}// ${m}: remembered until its response is sent, see send().\n` +
          `${i}this._mcpsInitRequest = messages.find(m => m && m.method === 'initialize');\n`
      },
      {
        name: `constructor-${tag}`,
        files: js,
        versions,
        find: /(\n(\s*)this\._onsessionclosed = options\.onsessionclosed;\n)/,
        replace: (all: string, _g: string, i: string) => `${all}${constructorBlock(i)}`
      },
      {
        name: `getter-${tag}`,
        files: js,
        versions,
        find: /(\n(\s*)this\._started = true;\n(\s*)\}\n)/,
        replace: (all: string, _g: string, _i: string, outer: string) => `${all}${getter(outer, 'return this._sessionState;')}`
      },
      {
        name: `send-capture-${tag}`,
        files: js,
        versions,
        find: /(\n(\s*)async send\(message, options\) \{\n)/,
        replace: (all: string, _g: string, i: string) => `${all}${sendCapture(i + '    ')}`
      },
      {
        name: `validator-${tag}`,
        files: js,
        versions,
        find: /(\n\/\/# sourceMappingURL=[\w.]+\.js\.map)/,
        replace: (all: string) => `\n${validator}${all}`
      },
      {
        name: `dts-type-${tag}`,
        files: dts,
        versions,
        find: /(\nimport \{ MessageExtraInfo, JSONRPCMessage, RequestId \} from '\.\.\/types\.js';\n)/,
        replace: (all: string) => `${all}import type { ClientCapabilities, Implementation } from '../types.js';\n${stateType}`
      },
      {
        name: `dts-options-${tag}`,
        files: dts,
        versions,
        find: /(\n(\s*)onsessioninitialized\?: \(sessionId: string\) => void \| Promise<void>;\n)/,
        replace: (all: string, _g: string, i: string) => `${all}${optionDocs(i)}`
      },
      {
        name: `dts-getter-${tag}`,
        files: dts,
        versions,
        find: /(\n(\s*)sessionId\?: string;\n)/,
        replace: (all: string, _g: string, i: string) => `${all}${getterDts(i)}`
      }
    ]),
    {
      name: 'dts-generator-optional',
      files: both('server/streamableHttp.d.ts'),
      versions: '<1.25.0',
      find: /\n(\s*)\*\/\n(\s*)sessionIdGenerator: \(\(\) => string\) \| undefined;/,
      replace: (_all, i, j) =>
        `\n${i}*\n${i}* May be left out when \`session\` continues an existing session, which always validates its id;\n` +
        `${i}* left out otherwise, the transport is stateless, as with 1.25+ (${m}).\n` +
        `${i}*/\n${j}sessionIdGenerator?: (() => string) | undefined;`
    },
    {
      name: 'node-wrapper-getter',
      files: both('server/streamableHttp.js'),
      versions: '>=1.25.0',
      find: /(\n(\s*)get sessionId\(\) \{\n\s*return this\._webStandardTransport\.sessionId;\n\s*\}\n)/,
      replace: (all, _g, i) => `${all}${getter(i, 'return this._webStandardTransport.sessionState;')}`
    },
    {
      name: 'node-wrapper-dts-type',
      files: both('server/streamableHttp.d.ts'),
      versions: '>=1.25.0',
      find: /import \{ WebStandardStreamableHTTPServerTransportOptions, EventStore, StreamId, EventId \} from '\.\/webStandardStreamableHttp\.js';\nexport type \{ EventStore, StreamId, EventId \};/,
      replace:
        `import { WebStandardStreamableHTTPServerTransportOptions, EventStore, StreamId, EventId, SessionState } from './webStandardStreamableHttp.js';\n` +
        `/** ${m}: SessionState is what the \`session\` option takes and \`sessionState\` returns. */\n` +
        'export type { EventStore, StreamId, EventId, SessionState };'
    },
    {
      name: 'node-wrapper-dts-getter',
      files: both('server/streamableHttp.d.ts'),
      versions: '>=1.25.0',
      find: /(\n(\s*)get sessionId\(\): string \| undefined;\n)/,
      replace: (all, _g, i) => `${all}${getterDts(i)}`
    },
    {
      name: 'server-connect',
      files: both('server/index.js'),
      find: /(\n(\s*)async _oninitialize\(request\) \{\n)/,
      replace: (all, nl, i) =>
        `\n${i}// ${m}: a transport that continues a session (built with \`session\`) carries what the\n` +
        `${i}// original initialize said; restore it so capability-gated requests (elicitation, sampling,\n` +
        `${i}// roots), getClientCapabilities() and getClientVersion() work as on the original server.\n` +
        `${i}async connect(transport) {\n` +
        `${i}    const state = transport ? transport.sessionState : undefined;\n` +
        `${i}    if (state !== undefined) {\n` +
        `${i}        this._clientCapabilities = state.clientCapabilities;\n` +
        `${i}        this._clientVersion = state.clientInfo;\n` +
        `${i}    }\n` +
        `${i}    return super.connect(transport);\n` +
        `${i}}` +
        all
    }
  ]
}
