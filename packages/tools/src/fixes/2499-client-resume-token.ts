import { marker, type Edit, type Fix } from './types.js'
import { resumeTokenV2 } from './v2/2499-client-resume-token.js'

const slug = '2499-client-resume-token'
const m = marker(slug)
const js = ['dist/esm/client/streamableHttp.js', 'dist/cjs/client/streamableHttp.js']
const dts = ['dist/esm/client/streamableHttp.d.ts', 'dist/cjs/client/streamableHttp.d.ts']

/** A connection's last event id starts at the token it was opened with; the v2 target's code reads the same. */
const seedCursor: Edit = {
  name: 'seed-cursor',
  files: [],
  find: /(\n(\s*))let lastEventId;\n/,
  replace: (_all, nl, indent) =>
    `${nl}// ${m}: start from the cursor this connection was opened with. A cut before the next\n` +
    `${indent}// id-bearing event then resumes from the same place instead of opening a fresh stream.\n` +
    `${indent}let lastEventId = options.resumptionToken;\n`
}

/** The `resumptionToken` documentation; the v2 target edits its declarations the same way. */
const declaration: Edit = {
  name: 'dts-resumption-token',
  files: [],
  find: /(\n(\s*)\*\/\n\s*resumptionToken\?: string;)/,
  replace: (all, _g, indent) =>
    `\n${indent}*\n` +
    `${indent}* Every reconnection of the stream resumes from the latest event id it delivered, or from this token while\n` +
    `${indent}* none arrived since, however often the stream is cut. (${m})` +
    all
}

export const resumeToken: Fix = {
  slug,
  title: 'Keep each stream\'s last event id across every reconnection',
  description:
    'StreamableHTTPClientTransport tracked the last event id of an SSE stream per connection, starting ' +
    'empty, and resumed a cut stream with that id. A stream that was itself a resumption (Last-Event-ID: e1) ' +
    'and was cut again before an id-bearing event arrived (a balancer idle timeout, a node restart) was ' +
    'therefore reopened without Last-Event-ID: the server started a fresh stream, every event sent in the ' +
    'gap was lost for the standalone GET stream, and a streamed tool call whose response stream was being ' +
    'resumed never got its remaining parts or its result. A connection now starts from the cursor it was ' +
    'opened with, so any number of reconnections resume from the latest event id the stream delivered; ' +
    'priming events (an id and empty data, sent by 2025-11-25 servers) count like any other id. A request ' +
    'resumed through send() with resumptionToken also reports the resumed stream\'s new ids to its ' +
    'onresumptiontoken callback (it was dropped), so a persisted token stays current. Servers that send no ' +
    'event ids see no change: their streams still reconnect without Last-Event-ID.',
  bugs: [
    'https://github.com/modelcontextprotocol/typescript-sdk/issues/2499',
    'https://github.com/modelcontextprotocol/typescript-sdk/pull/2509',
    'https://github.com/modelcontextprotocol/typescript-sdk/pull/2745'
  ],
  spec: 'https://modelcontextprotocol.io/specification/2025-11-25/basic/transports#resumability-and-redelivery',
  forwarded: 'no',
  lastUpdate: '2026-11-24',
  test: 'tests/fixes/2499-client-resume-token.test.ts',
  targets: [resumeTokenV2({ declaration, seedCursor })],
  upstreamSource:
    'src/client/streamableHttp.ts: StreamableHTTPClientTransport._handleSseStream() (seed the last event id ' +
    'from options.resumptionToken) and send() (pass onresumptiontoken to _startOrAuthSse() when resuming).',
  edits: [
    { ...seedCursor, files: js },
    {
      name: 'resume-callback',
      files: js,
      find: /(\n(\s*))this\._startOrAuthSse\(\{ resumptionToken, replayMessageId: /,
      replace: (_all, nl, indent) =>
        `${nl}// ${m}: the resumed stream reports its new event ids as well, so a persisted token stays current.\n` +
        `${indent}this._startOrAuthSse({ resumptionToken, onresumptiontoken, replayMessageId: `
    },
    { ...declaration, files: dts }
  ]
}
