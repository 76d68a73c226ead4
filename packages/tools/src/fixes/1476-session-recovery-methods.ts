import { marker } from './types.js'

const m = marker('1476-session-recovery')

/** What the recovery methods say differently on each SDK generation. */
export interface Dialect {
  /** A JavaScript expression that builds the transport's HTTP error with `status` (an expression) and `message` (template literal text). */
  error(status: string, message: string): string
  /** The expression that gives the fetch to call. */
  fetch: string
  /** Statements (one per line, 4 spaces of indentation) that cancel a scheduled GET reconnection. */
  cancelReconnection: string[]
}

/** The v1 SDK: `StreamableHTTPError(code, message)`, a reconnection timeout handle. */
export const v1Dialect: Dialect = {
  error: (status, message) => `new StreamableHTTPError(${status}, \`${message}\`)`,
  fetch: '(this._fetch || fetch)',
  cancelReconnection: [`    if (this._reconnectionTimeout) {`, `        clearTimeout(this._reconnectionTimeout);`, `        this._reconnectionTimeout = undefined;`, `    }`]
}

/**
 * The methods the fix adds to StreamableHTTPClientTransport. Plain ES2018 with
 * no imports, so the same text is valid in the esm and the cjs build of every
 * SDK release; `d` supplies the few expressions that differ between v1 and v2.
 */
export const recoveryMethods = (i: string, d: Dialect) =>
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
    `        throw ${d.error('404', 'Session expired: the server answered 404 Not Found for session \${expiredSessionId}, and it cannot be recovered because this transport never sent initialize. Connect a Client to start a new session.')};`,
    `    }`,
    `    this._mcpsRecoveryStreak = (this._mcpsRecoveryStreak || 0) + 1;`,
    `    if (this._sessionId === expiredSessionId) {`,
    `        this._sessionId = undefined;`,
    `    }`,
    ...d.cancelReconnection,
    `    this._mcpsRecoveryCount = (this._mcpsRecoveryCount || 0) + 1;`,
    `    const request = Object.assign({}, initialize, { id: \`mcp-sessions-recovery-\${this._mcpsRecoveryCount}\` });`,
    `    const headers = await this._commonHeaders();`,
    `    headers.delete('mcp-session-id');`,
    `    headers.set('content-type', 'application/json');`,
    `    headers.set('accept', 'application/json, text/event-stream');`,
    `    const response = await ${d.fetch}(this._url, Object.assign({}, this._requestInit, { method: 'POST', headers, body: JSON.stringify(request), signal: this._abortController && this._abortController.signal }));`,
    `    if (!response.ok) {`,
    `        const text = await response.text().catch(() => null);`,
    `        throw ${d.error('response.status', 'Failed to recover expired session \${expiredSessionId}: initialize was answered \${response.status}: \${text}')};`,
    `    }`,
    `    const newSessionId = response.headers.get('mcp-session-id');`,
    `    const answer = await this._mcpsReadResponse(response, request.id);`,
    `    if (!answer || !answer.result) {`,
    `        throw ${d.error('-1', 'Failed to recover expired session \${expiredSessionId}: initialize failed: \${JSON.stringify(answer && answer.error)}')};`,
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

/** The two transport options, declared with their documentation (the same on both generations). */
export const optionsDeclaration = (indent: string) =>
  `${indent}/**\n` +
  `${indent} * When the server answers 404 for the session (it expired, was deleted, or the server restarted),\n` +
  `${indent} * start a new session with the same client info and capabilities, re-open the GET stream and retry\n` +
  `${indent} * the failed request once. Off by default. Server-side state of the old session is not restored.\n` +
  `${indent} * (${m})\n` +
  `${indent} */\n` +
  `${indent}recoverSession?: boolean;\n` +
  `${indent}/** Called after \`recoverSession\` started a new session. (${m}) */\n` +
  `${indent}onsessionrecovered?: (previousSessionId: string, sessionId: string | undefined) => void;\n`
