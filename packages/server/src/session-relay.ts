import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js'

/**
 * Routes a client's answer to a server-initiated request (elicitation,
 * sampling, roots) to the node that sent the request, when it lands on
 * another node. With a relay the manager gives every request a node sends an
 * id unique across nodes (`mcps:<nodeId>:<n>`) and maps it back on the answer.
 *
 * A relay that also carries session ends (`announceEnd` and `listenEnds`,
 * both optional) lets a node on a shared store skip re-reading a session's
 * record on every request: it re-checks the store at most once a second per
 * session, and releases its copy at once when another node announces the end.
 * Without them the manager checks the store on every request.
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
  /** Tells every node (this one too) that `sessionId` ended: its record is deleted. Called after the delete. */
  announceEnd?(sessionId: string): Promise<void>
  /**
   * Called once by the manager (with `announceEnd`) with the handler for the
   * ends any node announces. Resolve once ends are heard: until then the
   * manager checks the store on every request. Call `ended(undefined)` when
   * ends may have been missed (a reconnect): every session is checked again.
   */
  listenEnds?(ended: (sessionId: string | undefined) => void): void | Promise<void>
  /**
   * `false` while skipping the store check is not safe or not cheap (ends
   * cannot reach this node, its connection is down or behind): the manager
   * checks the store on every request then. Absent: `true` once `listenEnds` resolved.
   */
  readonly hearsEnds?: boolean
  close?(): void | Promise<void>
}
