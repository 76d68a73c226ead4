import { marker, type Fix } from './types.js'

const slug = '1658-hydrate'
const m = marker(slug)
const both = (path: string) => [`dist/esm/${path}`, `dist/cjs/${path}`]

/** Where the session logic lives: the web-standard transport from 1.25, the Node-only one before. */
const core = [
  { versions: '>=1.25.0', js: both('server/webStandardStreamableHttp.js'), dts: both('server/webStandardStreamableHttp.d.ts'), tag: 'web' },
  { versions: '<1.25.0', js: both('server/streamableHttp.js'), dts: both('server/streamableHttp.d.ts'), tag: 'node' }
]

/**
 * Checks `options.session` and returns a fresh plain copy. A function
 * declaration at the end of the module: hoisted, no imports, valid in the esm
 * and the cjs build of every release.
 */
const validator = [
  '',
  `// ${m}: checks the state a transport continues a session from (options.session).`,
  'function mcpsSessionState(state) {',
  "    const fail = (code, what) => {",
  "        const error = new Error(`[mcp-sessions] Failed to continue a session: ${what}`);",
  '        error.code = code;',
  '        throw error;',
  '    };',
  "    const wanted = 'Pass the SessionState captured when the session started (transport.sessionState or onsessionstate): { sessionId, protocolVersion, clientInfo, clientCapabilities }.';",
  "    if (state === null || typeof state !== 'object' || Array.isArray(state)) {",
  "        fail('MCPS_INVALID_SESSION_STATE', `options.session must be an object, got ${state === null ? 'null' : Array.isArray(state) ? 'an array' : typeof state}. ${wanted}`);",
  '    }',
  '    const id = state.sessionId;',
  "    const allowed = 'A session id is 1 to 1024 visible ASCII characters (0x21-0x7E), as the MCP spec requires.';",
  "    if (typeof id !== 'string') {",
  "        fail('MCPS_INVALID_SESSION_ID', `sessionId must be a string, got ${id === null ? 'null' : typeof id}. ${allowed}`);",
  '    }',
  '    if (id.length === 0) {',
  "        fail('MCPS_INVALID_SESSION_ID', `sessionId is empty. ${allowed}`);",
  '    }',
  '    if (id.length > 1024) {',
  "        fail('MCPS_INVALID_SESSION_ID', `sessionId is ${id.length} characters long. ${allowed}`);",
  '    }',
  '    for (let i = 0; i < id.length; i++) {',
  '        const c = id.charCodeAt(i);',
  '        if (c < 0x21 || c > 0x7e) {',
  "            fail('MCPS_INVALID_SESSION_ID', `sessionId has the character U+${c.toString(16).toUpperCase().padStart(4, '0')} at position ${i}. ${allowed}`);",
  '        }',
  '    }',
  "    if (typeof state.protocolVersion !== 'string' || state.protocolVersion.length === 0) {",
  "        fail('MCPS_INVALID_SESSION_STATE', `protocolVersion must be the negotiated protocol version (e.g. \"2025-06-18\"), got ${JSON.stringify(state.protocolVersion)}. ${wanted}`);",
  '    }',
  '    const info = state.clientInfo;',
  "    if (info === null || typeof info !== 'object' || typeof info.name !== 'string' || typeof info.version !== 'string') {",
  "        fail('MCPS_INVALID_SESSION_STATE', `clientInfo must be the client's { name, version } from initialize, got ${JSON.stringify(info)}. ${wanted}`);",
  '    }',
  '    const caps = state.clientCapabilities;',
  "    if (caps === null || typeof caps !== 'object' || Array.isArray(caps)) {",
  "        fail('MCPS_INVALID_SESSION_STATE', `clientCapabilities must be the client's capabilities object from initialize, got ${JSON.stringify(caps)}. ${wanted}`);",
  '    }',
  '    return { sessionId: id, protocolVersion: state.protocolVersion, clientInfo: info, clientCapabilities: caps };',
  '}',
  ''
].join('\n')

const constructorBlock = (i: string) =>
  [
    `// ${m}: a transport built with options.session continues that session: it knows`,
    `// the id, counts as initialized and validates Mcp-Session-Id on every request, also`,
    `// without a sessionIdGenerator (a continued session is never stateless).`,
    'this._onsessionstate = options.onsessionstate;',
    'if (options.session !== undefined) {',
    '    const state = mcpsSessionState(options.session);',
    '    this._sessionState = state;',
    '    this.sessionId = state.sessionId;',
    '    this._initialized = true;',
    '    if (this.sessionIdGenerator === undefined) {',
    '        this.sessionIdGenerator = () => state.sessionId;',
    '    }',
    '}'
  ]
    .map(l => `${i}${l}\n`)
    .join('')

const sendCapture = (i: string) =>
  [
    `// ${m}: the answer to initialize completes the session's state. Record it and`,
    `// let onsessionstate store it before the client can see the session id.`,
    'const mcpsInit = this._mcpsInitRequest;',
    "if (mcpsInit !== undefined && message.id === mcpsInit.id && ('result' in message || 'error' in message)) {",
    '    this._mcpsInitRequest = undefined;',
    "    if ('result' in message && this.sessionId !== undefined) {",
    '        const params = mcpsInit.params || {};',
    '        const state = {',
    '            sessionId: this.sessionId,',
    '            protocolVersion: message.result.protocolVersion,',
    '            clientInfo: params.clientInfo,',
    '            clientCapabilities: params.capabilities || {}',
    '        };',
    '        this._sessionState = state;',
    '        if (this._onsessionstate) {',
    '            try {',
    '                await this._onsessionstate(state);',
    '            }',
    '            catch (error) {',
    '                const failure = new Error(`[mcp-sessions] Failed to store the state of session "${state.sessionId}": onsessionstate threw: ${error instanceof Error ? error.message : String(error)}. The session works on this node only.`);',
    "                failure.code = 'MCPS_SESSION_STATE_HOOK_FAILED';",
    '                failure.cause = error;',
    '                this.onerror?.(failure);',
    '            }',
    '        }',
    '    }',
    '}'
  ]
    .map(l => `${i}${l}\n`)
    .join('')

const getter = (i: string, body: string) =>
  `${i}/**\n` +
  `${i} * The session's state as plain JSON (${m}): set at construction for a transport built\n` +
  `${i} * with \`session\`, and once the initialize response is produced for a new session.\n` +
  `${i} */\n` +
  `${i}get sessionState() {\n` +
  `${i}    ${body}\n` +
  `${i}}\n`

const stateType = [
  '/**',
  ` * What a server needs to continue a session on another node or after a restart, as plain JSON (${m}):`,
  ' * capture it with `onsessionstate` (or `transport.sessionState`) when the session starts, store it,',
  ' * and pass it as the `session` option to a new transport.',
  ' *',
  ' * @example',
  ' * const transport = new StreamableHTTPServerTransport({ session: await store.get(sessionId) })',
  ' * await new McpServer(info).connect(transport) // knows the client\'s capabilities and info again',
  ' */',
  'export type SessionState = {',
  '    /** The session id: 1 to 1024 visible ASCII characters (0x21-0x7E). */',
  '    sessionId: string;',
  '    /** The protocol version negotiated by initialize. */',
  '    protocolVersion: string;',
  '    /** The client\'s `clientInfo` from initialize. */',
  '    clientInfo: Implementation;',
  '    /** The client\'s `capabilities` from initialize. */',
  '    clientCapabilities: ClientCapabilities;',
  '};',
  ''
].join('\n')

const optionDocs = (i: string) =>
  [
    '/**',
    ` * Continue an existing session instead of waiting for initialize (${m}): the transport takes the`,
    ' * session id, counts as initialized, validates Mcp-Session-Id on every request (404 on a mismatch, 400',
    ' * when missing), answers a second initialize with 400, and accepts the GET stream and DELETE. An MCP',
    ' * server connected to it restores the client\'s capabilities and info. Works without',
    ' * `sessionIdGenerator`. Throws an Error with code `MCPS_INVALID_SESSION_ID` for an id that is not 1 to',
    ' * 1024 visible ASCII characters, `MCPS_INVALID_SESSION_STATE` for other missing fields.',
    ' */',
    'session?: SessionState;',
    '/**',
    ` * Called once per new session with its state, and awaited before the initialize response is`,
    ` * written, so a store can persist it before the client can reach another node (${m}).`,
    ' * An error it throws goes to `onerror` (code `MCPS_SESSION_STATE_HOOK_FAILED`); the response is still sent.',
    ' */',
    'onsessionstate?: (state: SessionState) => void | Promise<void>;'
  ]
    .map(l => `${i}${l}\n`)
    .join('')

const getterDts = (i: string) =>
  `${i}/**\n` +
  `${i} * The session's state as plain JSON, or undefined before initialize has been answered (${m}).\n` +
  `${i} */\n` +
  `${i}get sessionState(): SessionState | undefined;\n`

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
