import { marker, type Edit, type Fix } from './types.js'
import { retryAfterV2 } from './v2/1892-client-retry-after.js'

const slug = '1892-client-retry-after'
const m = marker(slug)
const js = ['dist/esm/client/streamableHttp.js', 'dist/cjs/client/streamableHttp.js']
const dts = ['dist/esm/client/streamableHttp.d.ts', 'dist/cjs/client/streamableHttp.d.ts']

/**
 * How long an outage may last, in multiples of `maxReconnectionDelay`, before
 * Retry-After answers count against `maxRetries` again: 5 minutes with the
 * SDK's default 30 s. Long enough for a store restart or a rolling deploy,
 * short enough that a server stuck in 503 still ends the reconnection.
 */
const OUTAGE_FACTOR = 10

/**
 * The methods the fix adds to StreamableHTTPClientTransport. Plain ES2018 with
 * no imports, so the same text is valid in the esm and the cjs build of every
 * SDK release.
 */
const methods = (i: string) =>
  [
    `/** ${m}: records on \`error\` the wait a 503 or 429 answer asks for (Retry-After: seconds or an HTTP-date), in ms. */`,
    `_mcpsRetryAfter(error, response) {`,
    `    const value = (response.status === 503 || response.status === 429) && (response.headers.get('retry-after') || '').trim();`,
    `    if (value) {`,
    `        // An HTTP-date names a day or month; anything else that is not delay-seconds is ignored.`,
    `        const ms = /^\\d+$/.test(value) ? Number(value) * 1000 : /[A-Za-z]{3}/.test(value) ? Date.parse(value) - Date.now() : NaN;`,
    `        if (!Number.isNaN(ms)) {`,
    `            error.retryAfterMs = Math.max(0, ms);`,
    `        }`,
    `    }`,
    `    return error;`,
    `}`,
    `/**`,
    ` * ${m}:`,
    ` * The next wait when opening a stream failed with a Retry-After, or undefined to count the failure against`,
    ` * maxRetries as before. The server answered and said when to come back, so the wait uses up no attempt; it`,
    ` * is kept within [initialReconnectionDelay, maxReconnectionDelay]. \`options\` is one reconnection's, shared`,
    ` * by its attempts (a stream that opens starts a new one); once its outage has lasted`,
    ` * ${OUTAGE_FACTOR} x maxReconnectionDelay, Retry-After answers count as failed attempts again.`,
    ` */`,
    `_mcpsRetryAfterWait(error, options) {`,
    `    if (!error || typeof error.retryAfterMs !== 'number' || !this._abortController || this._abortController.signal.aborted) {`,
    `        return undefined;`,
    `    }`,
    `    const { initialReconnectionDelay, maxReconnectionDelay } = this._reconnectionOptions;`,
    `    options.mcpsOutageSince = options.mcpsOutageSince || Date.now();`,
    `    if (Date.now() - options.mcpsOutageSince >= ${OUTAGE_FACTOR} * maxReconnectionDelay) {`,
    `        return undefined;`,
    `    }`,
    `    return Math.min(Math.max(error.retryAfterMs, initialReconnectionDelay), maxReconnectionDelay);`,
    `}`,
    `/** ${m}: opens a stream; a 503 or 429 with Retry-After schedules the next try instead of giving the stream up. */`,
    `_mcpsOpenSse(options) {`,
    `    return this._startOrAuthSse(options).catch(error => {`,
    `        const wait = this._reconnectionOptions.maxRetries > 0 ? this._mcpsRetryAfterWait(error, options) : undefined;`,
    `        if (wait === undefined) {`,
    `            throw error;`,
    `        }`,
    `        this._scheduleReconnection(options, 0, wait);`,
    `    });`,
    `}`
  ]
    .map(line => (line ? i + line : line))
    .join('\n') + '\n'

/**
 * The documentation of the error's new field, at `indent`; the v2 target puts
 * it on `SdkHttpError`.
 */
const errorFieldDoc = (indent: string) =>
  `${indent}/**\n` +
  `${indent} * For a GET stream answered 503 or 429 with Retry-After: the wait the server asked for, in milliseconds.\n` +
  `${indent} * (${m})\n` +
  `${indent} */\n` +
  `${indent}retryAfterMs?: number;`

/** The reconnection edits read the same in both SDK generations; `files` is set per target. */
const signature: Edit = {
  name: 'signature',
  files: [],
  find: /(\n(\s*))_scheduleReconnection\(options, attemptCount = 0\) \{/,
  replace: (_all, nl, indent) =>
    `${nl}// ${m}: \`mcpsWait\` is a wait in ms the server asked for with Retry-After.\n` +
    `${indent}_scheduleReconnection(options, attemptCount = 0, mcpsWait) {`
}

/** 1.24.x reads `maxRetries: 0` as unlimited (`maxRetries > 0 && ...`); later releases and v2 do not. */
const budget: Edit = {
  name: 'budget',
  files: [],
  find: /(\n(\s*))if \((maxRetries > 0 && )?attemptCount >= maxRetries\) \{/,
  replace: (_all, nl, indent, zeroIsUnlimited = '') =>
    `${nl}// ${m}: a wait the server asked for is not a failed attempt.\n` +
    `${indent}if (mcpsWait === undefined && ${zeroIsUnlimited}attemptCount >= maxRetries) {`
}

const delay: Edit = {
  name: 'delay',
  files: [],
  find: /(\n(\s*))const delay = this\._getNextReconnectionDelay\(attemptCount\);/,
  replace: (_all, nl, indent) =>
    `${nl}// ${m}: Retry-After comes before the SSE retry field and the backoff.\n` +
    `${indent}const delay = mcpsWait !== undefined ? mcpsWait : this._getNextReconnectionDelay(attemptCount);`
}

/** Inside the catch of a reconnection, after 001's `reconnect-stop`: a 404 ends the stream before a wait is considered. */
const retryLater: Edit = {
  name: 'retry-later',
  files: [],
  find: /(\n(\s*))(this\._scheduleReconnection\(options, attemptCount \+ 1\);)/,
  replace: (_all, nl, indent, rest) =>
    `${nl}// ${m}: 503 or 429 with Retry-After: wait as asked, keeping the attempt count (and the cursor).\n` +
    `${indent}const mcpsNext = this._mcpsRetryAfterWait(error, options);\n` +
    `${indent}if (mcpsNext !== undefined) {\n` +
    `${indent}    this._scheduleReconnection(options, attemptCount, mcpsNext);\n` +
    `${indent}    return;\n` +
    `${indent}}\n` +
    `${indent}${rest}`
}

/** The reconnection edits in their order, for either generation. */
const reconnection = [signature, budget, delay, retryLater]

/** The `maxRetries` documentation, the same in both generations. */
const maxRetriesDoc: Edit = {
  name: 'dts-max-retries',
  files: [],
  find: /(\n(\s*)\*\/\n\s*maxRetries: number;)/,
  replace: (all, _g, indent) =>
    `\n${indent}*\n` +
    `${indent}* An attempt answered 503 or 429 with Retry-After does not count: the transport waits as asked (within\n` +
    `${indent}* initialReconnectionDelay and maxReconnectionDelay) and tries again, until the outage has lasted\n` +
    `${indent}* ${OUTAGE_FACTOR} x maxReconnectionDelay. (${m})` +
    all
}

/**
 * Symptom, cause and change; the same on both SDK generations but for the
 * transport's and its error's names.
 */
const story = (transport: string, error: string) =>
  'When the server (or a balancer in front of it) answered 503 or 429 with Retry-After while ' +
  `${transport} reopened its GET stream, the transport ignored Retry-After, retried at its ` +
  'own backoff, counted every answer against maxRetries (2 by default) and then gave the stream up for ' +
  'good: a client lost its server notifications, and a resumed tool call its result, for the rest of the ' +
  'session after an outage of a few seconds. A first GET answered that way was never retried. Now the ' +
  'transport waits as long as Retry-After asks (delay-seconds or an HTTP-date), kept within ' +
  `initialReconnectionDelay and maxReconnectionDelay, and such an answer uses up no attempt: the server ` +
  'is up and said when to come back. Failures without Retry-After still count as before, and once an ' +
  `outage has lasted ${OUTAGE_FACTOR} times maxReconnectionDelay (5 minutes by default) Retry-After answers ` +
  'count too, so a server that never recovers still ends the reconnection. This covers the GET stream, its ' +
  'reconnections and resumptions of a request stream (Last-Event-ID is kept); POST requests are not ' +
  `retried, since the server may have run them. The ${error} of a 503 or 429 GET carries retryAfterMs.`

export const retryAfter: Fix = {
  slug,
  title: 'Honour Retry-After when the GET stream is answered 503 or 429',
  description: story('StreamableHTTPClientTransport', 'error'),
  bugs: [
    'https://github.com/modelcontextprotocol/typescript-sdk/issues/1892',
    'https://github.com/modelcontextprotocol/typescript-sdk/issues/2098',
    'https://github.com/modelcontextprotocol/typescript-sdk/pull/1965',
    'https://github.com/modelcontextprotocol/typescript-sdk/pull/2517'
  ],
  spec: 'https://www.rfc-editor.org/rfc/rfc9110#section-10.2.3 (Retry-After)',
  forwarded: 'no',
  lastUpdate: '2026-11-24',
  test: 'tests/fixes/1892-client-retry-after.test.ts',
  targets: [retryAfterV2({ story, methods, reconnection, maxRetriesDoc, errorFieldDoc })],
  upstreamSource:
    'src/client/streamableHttp.ts: StreamableHTTPError (retryAfterMs), _startOrAuthSse() (read Retry-After on ' +
    '503/429), _scheduleReconnection() (a wait the server asked for uses up no attempt, bounded by an outage ' +
    'limit), the two places send() opens a stream (retry a first open answered with Retry-After) and new ' +
    'private helpers.',
  edits: [
    {
      name: 'read-retry-after',
      files: js,
      find: /(\n(\s*))throw (new StreamableHTTPError\(response\.status, `Failed to open SSE stream: [^`]*`\));/,
      replace: (_all, nl, indent, error) =>
        `${nl}// ${m}: a 503 or 429 with Retry-After says when the stream can be opened again.\n` +
        `${indent}throw this._mcpsRetryAfter(${error}, response);`
    },
    ...reconnection.map(edit => ({ ...edit, files: js })),
    {
      name: 'first-open',
      files: js,
      find: /(\n(\s*))this\._startOrAuthSse\(\{ resumptionToken: undefined \}\)\.catch\(/,
      replace: (_all, nl, indent) =>
        `${nl}// ${m}: a first open answered 503 or 429 with Retry-After is tried again.\n` +
        `${indent}this._mcpsOpenSse({ resumptionToken: undefined }).catch(`
    },
    {
      name: 'resume-open',
      files: js,
      find: /(\n(\s*))this\._startOrAuthSse\((\{ resumptionToken, onresumptiontoken, replayMessageId: )/,
      replace: (_all, nl, indent, args) =>
        `${nl}// ${m}: so is a resumption answered that way.\n` +
        `${indent}this._mcpsOpenSse(${args}`
    },
    {
      name: 'methods',
      files: js,
      find: /\n(    _handleSseStream\(stream, options, isReconnectable\) \{)/,
      replace: (_all, rest) => `\n${methods('    ')}${rest}`
    },
    {
      name: 'dts-error',
      files: dts,
      find: /(\n(\s*))(readonly code: number \| undefined;)/,
      replace: (_all, nl, indent, rest) => `${nl}${rest}\n${errorFieldDoc(indent)}`
    },
    { ...maxRetriesDoc, files: dts }
  ]
}
