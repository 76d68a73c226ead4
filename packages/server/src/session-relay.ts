import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js'

/**
 * Routes a client's answer to a server-initiated request (elicitation,
 * sampling, roots) to the node that sent the request, when it lands on
 * another node. With a relay the manager gives every request a node sends an
 * id unique across nodes (`mcps:<nodeId>:<n>`) and maps it back on the answer.
 *
 * @example
 * createSessionManager({ createServer, ...(await redisSessions({ url })) }) // includes a RedisRelay
 */
export interface SessionRelay {
  /** Unique among the live nodes. Visible ASCII without `:`. */
  readonly nodeId: string
  /** Delivers `message` for `sessionId` to node `nodeId` (at most once). */
  forward(nodeId: string, sessionId: string, message: JSONRPCMessage): Promise<void>
  /** Called once by the manager with the handler for answers forwarded to this node. */
  listen(deliver: (sessionId: string, message: JSONRPCMessage) => void): void | Promise<void>
  close?(): void | Promise<void>
}
