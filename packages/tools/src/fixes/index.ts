import { clientNotFound } from './1708-client-404.js'
import { sessionRecovery } from './1476-session-recovery.js'
import { jsonResponseLeak } from './2559-json-response-leak.js'
import { lifecycle } from './1852-lifecycle.js'
import { hydrate } from './1658-hydrate.js'
import { resumeToken } from './2499-client-resume-token.js'
import { retryAfter } from './1892-client-retry-after.js'
import type { Fix } from './types.js'

/** Every fix, in patch order: a fix's number is its position here, from 001. */
export const fixes: Fix[] = [clientNotFound, jsonResponseLeak, lifecycle, hydrate, sessionRecovery, resumeToken, retryAfter]

export type { Edit, Fix, Target } from './types.js'
export { bundles, marker } from './types.js'
