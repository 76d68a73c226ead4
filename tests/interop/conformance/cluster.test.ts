/**
 * Three cluster nodes (packages/tools/src/cluster/node.ts) on one private
 * redis-server behind the balancer (helpers/balancer.ts), every request to the
 * next node, against every 2025-11-25 server scenario of both pinned
 * conformance suites. The target is 0 failures and 0 warnings.
 * @see issue 14
 */
import type { ByDesign } from '../helpers/conformance.js'
import { describeServerConformance } from '../helpers/server-conformance.js'
import { startCluster } from '../helpers/servers.js'

/** Reviewed exceptions: none. A session lives on Redis, so every node answers for it. */
const BY_DESIGN: ByDesign[] = []

await describeServerConformance('cluster', startCluster, BY_DESIGN)
