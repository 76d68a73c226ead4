/**
 * Key layout. Every key of one session carries the hash tag `{<id>}`, so a
 * Redis Cluster keeps a session on one shard and multi-key scripts work.
 *
 *   mcps:{<id>}:session          hash: r = record JSON, t = lastActiveAt   (PX = idle TTL)
 *   mcps:{<id>}:s:<streamId>     stream: one entry per SSE event            (PX = grace)
 *   mcps:{<id>}:o:<streamId>     string: a client opened the stream at least once (PX = grace, with the stream)
 *   channel mcps:{<id>}:s:<streamId>   "an entry was added" (pub/sub)
 *   channel mcps:node:<nodeId>        client responses routed to a node
 *   channel mcps:ended                a session ended (the message is its id): every node releases its copy
 *   mcps:owner:{<owner>}         set: session ids created by one caller     (PX = the idle TTL, from the newest create)
 */
export const sessionKey = (prefix: string, id: string) => `${prefix}:{${id}}:session`
export const streamKey = (prefix: string, id: string, streamId: string) => `${prefix}:{${id}}:s:${streamId}`
export const openedKey = (prefix: string, id: string, streamId: string) => `${prefix}:{${id}}:o:${streamId}`
export const nodeChannel = (prefix: string, nodeId: string) => `${prefix}:node:${nodeId}`
export const endsChannel = (prefix: string) => `${prefix}:ended`
export const ownerKey = (prefix: string, owner: string) => `${prefix}:owner:{${owner}}`
export const DEFAULT_PREFIX = 'mcps'
