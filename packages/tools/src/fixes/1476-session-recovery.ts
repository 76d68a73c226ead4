import { marker, type Fix } from './types.js'

const slug = '1476-session-recovery'
const m = marker(slug)
const js = ['dist/esm/client/streamableHttp.js', 'dist/cjs/client/streamableHttp.js']
const dts = ['dist/esm/client/streamableHttp.d.ts', 'dist/cjs/client/streamableHttp.d.ts']

/**
 * The methods the fix adds to StreamableHTTPClientTransport. Plain ES2018 with
 * no imports, so the same text is valid in the esm and the cjs build of every
 * SDK release.
 */
const methods = (i: string) =>
  [
    `/** ${m}: starts a new session after a 404, once for all requests that failed together. */`,
    `async _mcpsRecoverSession(expiredSessionId) {`,
    `    if (this._mcpsRecovery) {`,
    `        return this._mcpsRecovery;`,
    `    }`,
    `    if (this._sessionId !== undefined && this._sessionId !== expiredSessionId) {`,
    `        return; // another request already started the new session`,
    `    }`,
    `    this._mcpsRecovery = this._mcpsReinitialize(expiredSessionId).then(() => {`,
    `        this._mcpsPendingRecovery = undefined;`,
    `    }, error => {`,
    `        // The next request tries again; this one surfaces the failure.`,
    `        this._mcpsPendingRecovery = expiredSessionId;`,
    `        throw error;`,
    `    }).finally(() => {`,
    `        this._mcpsRecovery = undefined;`,
    `    });`,
    `    return this._mcpsRecovery;`,
    `}`,
    `async _mcpsReinitialize(expiredSessionId) {`,
    `    const initialize = this._mcpsInitializeRequest;`,
    `    if (!initialize) {`,
    `        throw new StreamableHTTPError(404, \`Session expired: the server answered 404 Not Found for session \${expiredSessionId}, and it cannot be recovered because this transport never sent initialize. Connect a Client to start a new session.\`);`,
    `    }`,
    `    this._mcpsRecoveryStreak = (this._mcpsRecoveryStreak || 0) + 1;`,
    `    if (this._sessionId === expiredSessionId) {`,
    `        this._sessionId = undefined;`,
    `    }`,
    `    if (this._reconnectionTimeout) {`,
    `        clearTimeout(this._reconnectionTimeout);`,
    `        this._reconnectionTimeout = undefined;`,
    `    }`,
    `    this._mcpsRecoveryCount = (this._mcpsRecoveryCount || 0) + 1;`,
    `    const request = Object.assign({}, initialize, { id: \`mcp-sessions-recovery-\${this._mcpsRecoveryCount}\` });`,
    `    const headers = await this._commonHeaders();`,
    `    headers.delete('mcp-session-id');`,
    `    headers.set('content-type', 'application/json');`,
    `    headers.set('accept', 'application/json, text/event-stream');`,
    `    const response = await (this._fetch || fetch)(this._url, Object.assign({}, this._requestInit, { method: 'POST', headers, body: JSON.stringify(request), signal: this._abortController && this._abortController.signal }));`,
    `    if (!response.ok) {`,
    `        const text = await response.text().catch(() => null);`,
    `        throw new StreamableHTTPError(response.status, \`Failed to recover expired session \${expiredSessionId}: initialize was answered \${response.status}: \${text}\`);`,
    `    }`,
    `    const newSessionId = response.headers.get('mcp-session-id');`,
    `    const answer = await this._mcpsReadResponse(response, request.id);`,
    `    if (!answer || !answer.result) {`,
    `        throw new StreamableHTTPError(-1, \`Failed to recover expired session \${expiredSessionId}: initialize failed: \${JSON.stringify(answer && answer.error)}\`);`,
    `    }`,
    `    if (newSessionId) {`,
    `        this._sessionId = newSessionId;`,
    `    }`,
    `    if (answer.result.protocolVersion) {`,
    `        this.setProtocolVersion(answer.result.protocolVersion);`,
    `    }`,
    `    // The initialized notification also re-opens the GET stream, as on first connect.`,
    `    await this.send({ jsonrpc: '2.0', method: 'notifications/initialized' }, { mcpsInternal: true });`,
    `    if (this._mcpsOnRecovered) {`,
    `        try {`,
    `            this._mcpsOnRecovered(expiredSessionId, this._sessionId);`,
    `        }`,
    `        catch (error) {`,
    `            this.onerror && this.onerror(error);`,
    `        }`,
    `    }`,
    `}`,
    `/** Reads the JSON-RPC response with \`id\` from a JSON or SSE answer; other messages go to onmessage. */`,
    `async _mcpsReadResponse(response, id) {`,
    `    const type = response.headers.get('content-type') || '';`,
    `    if (type.includes('application/json')) {`,
    `        const data = await response.json();`,
    `        return (Array.isArray(data) ? data : [data]).find(msg => msg && msg.id === id);`,
    `    }`,
    `    if (!type.includes('text/event-stream') || !response.body) {`,
    `        await (response.body && response.body.cancel());`,
    `        return undefined;`,
    `    }`,
    `    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();`,
    `    let buffer = '';`,
    `    try {`,
    `        for (;;) {`,
    `            const chunk = await reader.read();`,
    `            if (chunk.done) {`,
    `                return undefined;`,
    `            }`,
    `            buffer = (buffer + chunk.value).replace(/\\r\\n?/g, '\\n');`,
    `            let end;`,
    `            while ((end = buffer.indexOf('\\n\\n')) !== -1) {`,
    `                const data = buffer.slice(0, end).split('\\n').filter(line => line.startsWith('data:')).map(line => line.slice(5).replace(/^ /, '')).join('\\n');`,
    `                buffer = buffer.slice(end + 2);`,
    `                if (!data) {`,
    `                    continue;`,
    `                }`,
    `                let message;`,
    `                try {`,
    `                    message = JSON.parse(data);`,
    `                }`,
    `                catch {`,
    `                    continue;`,
    `                }`,
    `                if (message && message.id === id) {`,
    `                    return message;`,
    `                }`,
    `                this.onmessage && this.onmessage(message);`,
    `            }`,
    `        }`,
    `    }`,
    `    finally {`,
    `        reader.cancel().catch(() => { });`,
    `    }`,
    `}`,
    `/** True when a 404 for \`sentSessionId\` should start (or join) a new session rather than surface. */`,
    `_mcpsShouldRecover(sentSessionId, options) {`,
    `    if (!this._mcpsRecover || (options && (options.mcpsInternal || options.mcpsRetry))) {`,
    `        return false;`,
    `    }`,
    `    if (this._mcpsRecovery || (this._sessionId !== undefined && this._sessionId !== sentSessionId)) {`,
    `        return true; // join the running recovery, or use the session another request already started`,
    `    }`,
    `    // A 404 right after a recovery, before any request succeeded on the new session, is surfaced: no loops.`,
    `    return !(this._mcpsRecoveryStreak > 0);`,
    `}`
  ]
    .map(line => (line ? i + line : line))
    .join('\n') + '\n'

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
      replace: (_all, rest) => `\n${methods('    ')}${rest}`
    },
    {
      name: 'dts-options',
      files: dts,
      find: /(\n(\s*)sessionId\?: string;\n)/,
      replace: (all, _l, indent) =>
        `${all}${indent}/**\n` +
        `${indent} * When the server answers 404 for the session (it expired, was deleted, or the server restarted),\n` +
        `${indent} * start a new session with the same client info and capabilities, re-open the GET stream and retry\n` +
        `${indent} * the failed request once. Off by default. Server-side state of the old session is not restored.\n` +
        `${indent} * (${m})\n` +
        `${indent} */\n` +
        `${indent}recoverSession?: boolean;\n` +
        `${indent}/** Called after \`recoverSession\` started a new session. (${m}) */\n` +
        `${indent}onsessionrecovered?: (previousSessionId: string, sessionId: string | undefined) => void;\n`
    }
  ]
}
