import { marker } from './types.js'

const m = marker('2559-json-response-leak')

/**
 * The JavaScript (one statement per line, no indentation) that builds the
 * answer to a JSON-mode POST the transport gives up on. It expects
 * `requestIds` (the POST's JSON-RPC request ids) in scope and leaves `status`
 * and `body`.
 *
 * Always HTTP 503 with -32000, never 404: a 404 tells a client the server
 * never processed the request (spec, Session Management, rule 3 covers
 * requests that arrive after the session ended), and recovering clients
 * (fix 1476) retry a 404 automatically. This request was accepted and may
 * have run. The message and `data.reason` say whether the session ended;
 * the client's next request with that id gets the 404 that starts a new one.
 */
export function interruptedAnswer(closing: string): string[] {
  return [
    `const closing = ${closing};`,
    'const sessionClosed = closing && this.sessionId !== undefined;',
    'const errors = (requestIds.length > 0 ? requestIds : [null]).map(id => ({',
    "    jsonrpc: '2.0',",
    '    id,',
    '    error: {',
    '        code: -32000,',
    '        message: sessionClosed',
    '            ? `Session closed: the server ended session ${this.sessionId} before answering request ${JSON.stringify(id)}; ' +
      'the request may or may not have run. Start a new session (initialize without an Mcp-Session-Id header) before retrying it.`',
    "            : `Request interrupted: the server closed ${closing ? 'the transport' : 'the response'} before answering request ${JSON.stringify(id)}; " +
      'the request may or may not have run. Retry it if it is safe to repeat.`,',
    "        data: { reason: sessionClosed ? 'session-closed' : closing ? 'transport-closed' : 'response-closed' }",
    '    }',
    '}));',
    'const status = 503;',
    'const body = JSON.stringify(errors.length === 1 ? errors[0] : errors);'
  ]
}

export const indented = (indent: string, lines: string[]) => lines.map(l => `${indent}${l}\n`).join('')

export const dtsDoc = (indent: string) =>
  `${indent}*\n` +
  `${indent}* In JSON mode each POST's bookkeeping is released as soon as it is answered, so a long-lived session does\n` +
  `${indent}* not grow with the number of requests. Closing the transport (DELETE, close(), a lifetime policy) answers\n` +
  `${indent}* every POST still waiting with HTTP 503 and a JSON-RPC error (code -32000) for each of its requests instead\n` +
  `${indent}* of leaving it open; \`error.data.reason\` is \`'session-closed'\` when the transport had a session id (start\n` +
  `${indent}* a new session before retrying) and \`'transport-closed'\` otherwise. The request may or may not have run.\n` +
  `${indent}* (${m})\n`

/**
 * The JSON-mode stream entry that settles its POST exactly once (the body of
 * `new Promise(resolve => { ... })` up to the entry's `set`): by send() with
 * its responses, or by cleanup() with a JSON-RPC error. `inner` is the
 * indentation of the statements, `s` one level, `closing` the JavaScript
 * condition that says the transport is closing.
 */
export function settleOnceEntry(inner: string, s: string, closing: string): string {
  return (
    `${inner}// ${m}: the pending POST is settled exactly once, by\n` +
    `${inner}// send() with its responses or by cleanup() with a JSON-RPC error; cleanup() also\n` +
    `${inner}// retires everything kept for this POST.\n` +
    `${inner}let settled = false;\n` +
    `${inner}const settle = response => {\n` +
    `${inner}${s}if (!settled) {\n` +
    `${inner}${s}${s}settled = true;\n` +
    `${inner}${s}${s}resolve(response);\n` +
    `${inner}${s}}\n` +
    `${inner}};\n` +
    `${inner}this._streamMapping.set(streamId, {\n` +
    `${inner}${s}resolveJson: settle,\n` +
    `${inner}${s}cleanup: () => {\n` +
    `${inner}${s}${s}if (this._streamMapping.get(streamId)?.resolveJson === settle) {\n` +
    `${inner}${s}${s}${s}this._streamMapping.delete(streamId);\n` +
    `${inner}${s}${s}}\n` +
    `${inner}${s}${s}const requestIds = [];\n` +
    `${inner}${s}${s}for (const [id, sid] of this._requestToStreamMapping) {\n` +
    `${inner}${s}${s}${s}if (sid === streamId) {\n` +
    `${inner}${s}${s}${s}${s}requestIds.push(id);\n` +
    `${inner}${s}${s}${s}}\n` +
    `${inner}${s}${s}}\n` +
    `${inner}${s}${s}for (const id of requestIds) {\n` +
    `${inner}${s}${s}${s}this._requestToStreamMapping.delete(id);\n` +
    `${inner}${s}${s}${s}this._requestResponseMap.delete(id);\n` +
    `${inner}${s}${s}}\n` +
    `${inner}${s}${s}if (settled) {\n` +
    `${inner}${s}${s}${s}return;\n` +
    `${inner}${s}${s}}\n` +
    indented(`${inner}${s}${s}`, interruptedAnswer(closing)) +
    `${inner}${s}${s}settle(new Response(body, { status, headers: { 'Content-Type': 'application/json' } }));\n` +
    `${inner}${s}}\n` +
    `${inner}});\n`
  )
}
