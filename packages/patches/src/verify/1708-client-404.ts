import { loopback, sessionNotFound } from './loopback.js'
import { clientClasses, httpStatus, shown } from './sdk-api.js'
import { CLIENT_PACKAGE } from '../manifest.js'
import { ensure, type Check } from './types.js'

const STALE = 'mcps-verify-stale-session'

/**
 * Spec, Session Management rule 4: a 404 for a request that carried a session
 * id ends that session, so the client must drop the id. The loopback server
 * has forgotten every session: it answers 404 to any request carrying an id.
 * The same check runs on `@modelcontextprotocol/client` 2.x (`clientNotFoundCheckV2`).
 *
 * @example
 * await clientNotFoundCheck.run(ctx) // throws a CheckFailure on an unpatched SDK
 */
export const clientNotFoundCheck: Check = {
  slug: '1708-client-404',
  behaviour: 'the client drops its session id when a POST, the GET stream or DELETE gets 404',
  async run(ctx) {
    const { signal } = ctx
    const { StreamableHTTPClientTransport } = await clientClasses(ctx)
    const server = await loopback((req, res) => {
      req.resume()
      if (req.headers['mcp-session-id']) return sessionNotFound(res)
      res.writeHead(400).end()
    }, signal)
    const transport = async () => {
      const t = new StreamableHTTPClientTransport(server.url, { sessionId: STALE, reconnectionOptions: { initialReconnectionDelay: 10, maxReconnectionDelay: 10, reconnectionDelayGrowFactor: 1, maxRetries: 0 } })
      t.onerror = () => {}
      await t.start()
      return t
    }
    try {
      const post = await transport()
      const postError = await post.send({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} }).then(() => undefined, (e: unknown) => e)
      await post.close()
      ensure(httpStatus(postError) === 404, `a POST answered 404 should fail with status 404; got ${shown(postError)}`)
      ensure(post.sessionId === undefined, `after a POST answered 404 the client still holds session id "${post.sessionId}"`)

      const get = await transport()
      const getError = await get.resumeStream('0').then(() => undefined, (e: unknown) => e)
      await get.close()
      ensure(httpStatus(getError) === 404, `opening the GET stream answered 404 should fail with status 404; got ${shown(getError)}`)
      ensure(get.sessionId === undefined, `after the GET stream was answered 404 the client still holds session id "${get.sessionId}"`)

      const del = await transport()
      const delError = await del.terminateSession().then(() => undefined, (e: unknown) => e)
      await del.close()
      ensure(delError === undefined, `terminateSession() should treat 404 as already terminated; it threw ${shown(delError)}`)
      ensure(server.seen.length === 3 && server.seen.every(r => r.sessionId === STALE), `the loopback server saw ${server.seen.length} requests, expected 3 carrying the stale id`)
    } finally {
      await server.close()
    }
  }
}

/** Fix 001 on `@modelcontextprotocol/client` 2.x: the same behaviour. */
export const clientNotFoundCheckV2: Check = { ...clientNotFoundCheck, package: CLIENT_PACKAGE }
