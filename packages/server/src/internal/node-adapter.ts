import type { IncomingMessage, ServerResponse } from 'node:http'
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js'
import { parseJson, TOO_LARGE } from './body.js'
import { readNodeBody, toWebRequest, writeWebResponse } from './node-http.js'
import type { Report } from './reporter.js'
import { errorResponse } from './wire.js'

/** The web-standard core the adapter calls: a request without its body, plus the parsed body. */
export type Core = (request: Request, authInfo: AuthInfo | undefined, body: unknown) => Promise<Response>

/**
 * node:http and express in front of the web-standard core: reads and parses
 * a POST body unless a framework already did (`parsedBody`), picks up
 * `req.auth` (the SDK's bearer-auth middleware), writes the answer back with
 * back-pressure. An unexpected failure is reported and answered 500.
 */
export async function handleNodeRequest(core: Core, report: Report, maxBodyBytes: number, req: IncomingMessage, res: ServerResponse, parsedBody?: unknown): Promise<void> {
  try {
    let body = parsedBody
    if (body === undefined && req.method === 'POST') {
      const text = await readNodeBody(req, maxBodyBytes)
      body = text === TOO_LARGE ? TOO_LARGE : parseJson(text)
    }
    const authInfo = (req as IncomingMessage & { auth?: AuthInfo }).auth
    await writeWebResponse(await core(toWebRequest(req), authInfo, body), res)
  } catch (error) {
    report('MCPS_INTERNAL_ERROR', 'Failed to handle a request: unexpected error', error)
    if (res.headersSent) res.destroy()
    else await writeWebResponse(errorResponse('MCPS_INTERNAL_ERROR'), res).catch(() => res.destroy())
  }
}
