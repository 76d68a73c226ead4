import { marker } from './types.js'

const m = marker('1658-hydrate')

/**
 * Checks `options.session` and returns a fresh plain copy. A function
 * declaration at the end of the module: hoisted, no imports, valid in the esm
 * and the cjs build of every release.
 */
export const validator = [
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

export const constructorBlock = (i: string) =>
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

export const sendCapture = (i: string) =>
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

export const getter = (i: string, body: string) =>
  `${i}/**\n` +
  `${i} * The session's state as plain JSON (${m}): set at construction for a transport built\n` +
  `${i} * with \`session\`, and once the initialize response is produced for a new session.\n` +
  `${i} */\n` +
  `${i}get sessionState() {\n` +
  `${i}    ${body}\n` +
  `${i}}\n`

export const stateType = [
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

export const optionDocs = (i: string) =>
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

export const getterDts = (i: string) =>
  `${i}/**\n` +
  `${i} * The session's state as plain JSON, or undefined before initialize has been answered (${m}).\n` +
  `${i} */\n` +
  `${i}get sessionState(): SessionState | undefined;\n`
