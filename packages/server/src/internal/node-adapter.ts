import type { IncomingMessage, ServerResponse } from 'node:http'
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js'
import { chunksOf } from './body-reader.js'
import type { Incoming } from './dispatcher.js'
import { isWellFormedHost } from './host-policy.js'
import { toWebRequest, writeWebResponse } from './node-http.js'
import type { Report } from './reporter.js'
import { METHODS } from './router.js'
import { errorResponse } from './wire.js'

/** The web-standard core the adapter calls. */
export type Core = (incoming: Incoming) => Promise<Response>

/**
 * node:http and express in front of the web-standard core: refuses what a
 * web `Request` cannot even represent (TRACE, a malformed Host), hands the
 * body over unread (or as a framework parsed it: `parsedBody`), picks up
 * `req.auth` (the SDK's bearer-auth middleware) and the peer address, and
 * writes the answer back with back-pressure. A body cut short by the client
 * is not a failure; anything unexpected is reported and answered 500.
 */
export async function handleNodeRequest(core: Core, report: Report, req: IncomingMessage, res: ServerResponse, parsedBody?: unknown): Promise<void> {
  try {
    const early = refuseEarly(req)
    if (early) {
      // The body, if any, was not read: do not let it be taken for the next request.
      res.shouldKeepAlive = false
      return await writeWebResponse(early, res)
    }
    const incoming: Incoming = {
      request: toWebRequest(req),
      authInfo: (req as IncomingMessage & { auth?: AuthInfo }).auth,
      body: parsedBody !== undefined ? { parsed: parsedBody } : { chunks: () => chunksOf(req) },
      address: req.socket.remoteAddress
    }
    const response = await core(incoming)
    if (!req.complete && req.method === 'POST' && parsedBody === undefined) res.shouldKeepAlive = false
    await writeWebResponse(response, res)
  } catch (error) {
    report('MCPS_INTERNAL_ERROR', 'Failed to handle a request: unexpected error', error)
    if (res.headersSent) res.destroy()
    else await writeWebResponse(errorResponse('MCPS_INTERNAL_ERROR'), res).catch(() => res.destroy())
  }
}

function refuseEarly(req: IncomingMessage): Response | undefined {
  if (!(METHODS as readonly string[]).includes(req.method ?? '')) {
    return errorResponse('MCPS_METHOD_NOT_ALLOWED', { headers: { allow: 'GET, POST, DELETE' } })
  }
  const host = req.headers.host
  if (host !== undefined && !isWellFormedHost(host)) return errorResponse('MCPS_HOST_INVALID')
  return undefined
}
