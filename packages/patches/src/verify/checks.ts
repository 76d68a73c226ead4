import { sessionRecoveryCheck } from './1476-session-recovery.js'
import { retryAfterCheck } from './1892-client-retry-after.js'
import { hydrateCheck } from './1658-hydrate.js'
import { clientNotFoundCheck } from './1708-client-404.js'
import { lifecycleCheck } from './1852-lifecycle.js'
import { resumeTokenCheck } from './2499-client-resume-token.js'
import { jsonResponseLeakCheck } from './2559-json-response-leak.js'
import type { Check } from './types.js'

/**
 * Every fix's behavioural check, by slug. A fix in patches/manifest.json with
 * no entry here shows as `unchecked` (and tests/packages/patches/verify.test.ts
 * fails), so adding a fix means adding its check: one file beside this one.
 * A check runs against every copy of its `package` (default: the v1 SDK), so
 * a check for a v2 package names it (`package: '@modelcontextprotocol/client'`)
 * and loads the copy's entry with `load('')`.
 */
export const checks: Check[] = [clientNotFoundCheck, lifecycleCheck, jsonResponseLeakCheck, sessionRecoveryCheck, hydrateCheck, resumeTokenCheck, retryAfterCheck]
