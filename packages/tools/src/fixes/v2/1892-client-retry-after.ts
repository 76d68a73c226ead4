import { CLIENT_PACKAGE } from '../../versions.js'
import { bundles, marker, type Edit, type Target } from '../types.js'

const m = marker('1892-client-retry-after')

/** What fix 007 on v2 takes from the v1 fix: its prose, its helper methods and the edits that read the same. */
export interface RetryAfterShared {
  /** Symptom, cause and change, for a transport and its error class. */
  story: (transport: string, error: string) => string
  /** `_mcpsRetryAfter`, `_mcpsRetryAfterWait`, `_mcpsOpenSse`, each line at `indent`. */
  methods: (indent: string) => string
  /** `_scheduleReconnection()`: its signature, its budget check, its delay, the retry in its catch. */
  reconnection: Edit[]
  /** The `maxRetries` documentation. */
  maxRetriesDoc: Edit
  /** The declaration of the error's `retryAfterMs`, at `indent`. */
  errorFieldDoc: (indent: string) => string
}

/**
 * Fix 007 on `@modelcontextprotocol/client` 2.x. Every release has v1's gap: a
 * GET stream answered 503 or 429 ignores Retry-After and gives up after
 * `maxRetries` (2 by default; 0 means no reconnection, as on v1 from 1.25),
 * and a first GET answered that way is not retried. `_scheduleReconnection()`
 * reads as on v1, so those edits are the v1 ones; what differs is the error
 * (`SdkHttpError`, declared in a hashed chunk, named `require_src.SdkHttpError`
 * in the cjs build) and how `_send()` opens its streams.
 */
export function retryAfterV2(shared: RetryAfterShared): Target {
  return {
    package: CLIENT_PACKAGE,
    description:
      shared.story('StreamableHTTPClientTransport', 'SdkHttpError') +
      ' A custom reconnectionScheduler is called with the wait the server asked for and the same attempt number.',
    upstreamSource:
      'packages/client/src/client/streamableHttp.ts: StreamableHTTPClientTransport._startOrAuthSse() (read Retry-After ' +
      'on 503/429), _scheduleReconnection() (a wait the server asked for uses up no attempt, bounded by an outage limit), ' +
      'the two places _send() opens a stream (retry a first open answered with Retry-After) and new private helpers; ' +
      'packages/core-internal/src/errors/sdkErrors.ts: SdkHttpError (retryAfterMs).',
    edits: [
      {
        name: 'read-retry-after',
        files: bundles(),
        find: /(\n(\s*))throw (new (?:[\w$]+\.)?SdkHttpError\((?:[\w$]+\.)?SdkErrorCode\.ClientHttpFailedToOpenStream, `Failed to open SSE stream: [^`]*`, \{[^}]*\}\));/,
        replace: (_all, nl, indent, error) =>
          `${nl}// ${m}: a 503 or 429 with Retry-After says when the stream can be opened again.\n` +
          `${indent}throw this._mcpsRetryAfter(${error}, response);`
      },
      ...shared.reconnection.map(edit => ({ ...edit, files: bundles() })),
      {
        name: 'first-open',
        files: bundles(),
        find: /(\n(\s*))(if \((?:[\w$]+\.)?isInitializedNotification\(message\)\) )this\._startOrAuthSse\(\{ resumptionToken: void 0 \}\)\.catch\(/,
        replace: (_all, nl, indent, condition) =>
          `${nl}// ${m}: a first open answered 503 or 429 with Retry-After is tried again.\n` +
          `${indent}${condition}this._mcpsOpenSse({ resumptionToken: void 0 }).catch(`
      },
      {
        // With or without fix 006's `onresumptiontoken` line after `resumptionToken,`.
        name: 'resume-open',
        files: bundles(),
        find: /(\n(\s*))this\._startOrAuthSse\((\{\n\s*resumptionToken,\n)/,
        replace: (_all, nl, indent, args) =>
          `${nl}// ${m}: so is a resumption answered that way.\n` +
          `${indent}this._mcpsOpenSse(${args}`
      },
      {
        name: 'methods',
        files: bundles(),
        find: /\n(\s*)(_handleSseStream\(stream, options, isReconnectable\) \{)/,
        replace: (_all, indent, rest) => `\n${shared.methods(indent)}${indent}${rest}`
      },
      {
        name: 'dts-error',
        files: bundles('types'),
        find: /(declare class SdkHttpError extends SdkError \{[\s\S]*?\n(\s*)get statusText\(\): string \| undefined;\n)/,
        replace: (all, _head, indent) => `${all}${shared.errorFieldDoc(indent)}\n`
      },
      { ...shared.maxRetriesDoc, files: bundles('types') }
    ]
  }
}
