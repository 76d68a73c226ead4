import type { IncomingMessage, ServerResponse } from 'node:http'
import { getRequestListener } from '@hono/node-server'
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response'
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js'
import { readNodeBody } from './body-reader.js'
import type { Incoming } from './dispatcher.js'
import { isWellFormedHost } from './host-policy.js'
import { writeAnswer, writeWebResponse } from './node-http.js'
import type { Report } from './reporter.js'
import { METHODS } from './router.js'
import type { Answer } from './streams/tracked-stream.js'
import { errorResponse } from './wire.js'

/** The web-standard core the adapter calls. */
export type Core = (incoming: Incoming) => Promise<Answer>

/** Handles one Node request; `parsedBody` as a framework parsed it. */
export type NodeHandler = (req: IncomingMessage, res: ServerResponse, parsedBody?: unknown) => Promise<void>

/**
 * node:http and express in front of the web-standard core. The web view of
 * the request is `@hono/node-server`'s (the SDK's own Node transport uses
 * it): a `Request` whose URL and headers are read from the Node request
 * when asked, instead of a full undici `Request` built per request. The
 * answer is written by {@link writeAnswer}, not converted back. Refuses
 * what a web `Request` cannot represent (TRACE, a malformed Host), hands
 * the body over unread (or as a framework parsed it), picks up `req.auth`
 * (the SDK's bearer-auth middleware) and the peer address. A body cut short
 * by the client is not a failure; anything unexpected is reported and
 * answered 500.
 */
export function nodeHandler(core: Core, report: Report): NodeHandler {
  const parsed = new WeakMap<IncomingMessage, unknown>()
  const listener = getRequestListener(async (request, env) => {
    const req = env.incoming as IncomingMessage
    const res = env.outgoing as ServerResponse
    const body = parsed.get(req)
    try {
      const answer = await core({
        request,
        authInfo: (req as IncomingMessage & { auth?: AuthInfo }).auth,
        body: body !== undefined ? { parsed: body } : { read: (limit, timeoutMs) => readNodeBody(req, limit, timeoutMs) },
        address: req.socket.remoteAddress
      })
      // @note An unread body (a refused or unknown-session POST) is discarded by Node after the answer, without
      // buffering; closing instead would reset the connection and could lose the answer. Only a body declared
      // larger than any we accept, or one that timed out, ends the connection.
      if (!req.complete && (answer.status === 413 || answer.status === 408)) res.shouldKeepAlive = false
      await writeAnswer(answer, res)
    } catch (error) {
      await failed(report, res, error)
    }
    return RESPONSE_ALREADY_SENT
  }, {
    overrideGlobalObjects: false,
    // The body is the manager's to read (within its limits) or to leave to Node.
    autoCleanupIncoming: false,
    // A Host-less HTTP/1.0 request: the host policy judges the Host header, the URL only needs one.
    hostname: 'localhost',
    errorHandler: () => errorResponse('MCPS_HOST_INVALID')
  })
  return async (req, res, parsedBody) => {
    const early = refuseEarly(req)
    if (early) {
      // The body, if any, was not read: do not let it be taken for the next request.
      res.shouldKeepAlive = false
      return writeWebResponse(early, res).catch(error => failed(report, res, error))
    }
    if (parsedBody !== undefined) parsed.set(req, parsedBody)
    await listener(req, res)
  }
}

async function failed(report: Report, res: ServerResponse, error: unknown): Promise<void> {
  report('MCPS_INTERNAL_ERROR', 'Failed to handle a request: unexpected error', error)
  if (res.headersSent) res.destroy()
  else await writeWebResponse(errorResponse('MCPS_INTERNAL_ERROR'), res).catch(() => res.destroy())
}

function refuseEarly(req: IncomingMessage): Response | undefined {
  if (!(METHODS as readonly string[]).includes(req.method ?? '')) {
    return errorResponse('MCPS_METHOD_NOT_ALLOWED', { headers: { allow: 'GET, POST, DELETE' } })
  }
  const host = req.headers.host
  if (host !== undefined && !isWellFormedHost(host)) return errorResponse('MCPS_HOST_INVALID')
  return undefined
}
