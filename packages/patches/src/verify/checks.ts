import { sessionRecoveryCheck, sessionRecoveryCheckV2 } from './1476-session-recovery.js'
import { retryAfterCheck, retryAfterCheckV2 } from './1892-client-retry-after.js'
import { hydrateCheck, hydrateCheckV2 } from './1658-hydrate.js'
import { clientNotFoundCheck, clientNotFoundCheckV2 } from './1708-client-404.js'
import { lifecycleCheck, lifecycleCheckV2 } from './1852-lifecycle.js'
import { resumeTokenCheck, resumeTokenCheckV2 } from './2499-client-resume-token.js'
import { jsonResponseLeakCheck, jsonResponseLeakCheckV2 } from './2559-json-response-leak.js'
import type { Check } from './types.js'

/**
 * Every fix's behavioural check, by slug. A fix in patches/manifest.json with
 * no entry here shows as `unchecked` (and tests/packages/patches/verify.test.ts
 * fails), so adding a fix means adding its check: one file beside this one.
 * A check runs against every copy of its `package` (default: the v1 SDK), so
 * a check for a v2 package names it (`package: '@modelcontextprotocol/client'`)
 * and loads the copy's entry with `load('')`.
 * A fix on several packages has one check per package.
 */
export const checks: Check[] = [
  clientNotFoundCheck,
  lifecycleCheck,
  jsonResponseLeakCheck,
  sessionRecoveryCheck,
  hydrateCheck,
  resumeTokenCheck,
  retryAfterCheck,
  // The v2 packages: the same checks on @modelcontextprotocol/client and /server (see sdk-api.ts).
  clientNotFoundCheckV2,
  sessionRecoveryCheckV2,
  resumeTokenCheckV2,
  retryAfterCheckV2,
  jsonResponseLeakCheckV2,
  lifecycleCheckV2,
  hydrateCheckV2
]
