// Running
export { verifyInstall } from './run.js'
export type { CopyVerification, FixVerification, VerifyOptions, VerifyOutcome, VerifyReport } from './run.js'

// Writing a check
export { checks } from './checks.js'
export { CheckFailure, ensure } from './types.js'
export type { Check, CheckContext, ModuleFlavor } from './types.js'
