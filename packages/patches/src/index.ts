// Applying
export { applyPatches } from './apply.js'
export type { ApplyOptions, ApplyResult, CopyOutcome } from './apply.js'

// Finding every copy of the SDK in an install
export { findCopies } from './copies.js'
export type { Coverage, FindOptions, Install, Loader, SdkCopy } from './copies.js'
export type { InstalledPackage, WalkLimits } from './installed-package.js'
export { SESSION_PACKAGES, isCovered, watchedPackages } from './packages.js'

// Inspecting
export { patchStatus } from './status.js'
export type { CopyStatus, FixPresence, FixStatus, StatusReport } from './status.js'

// The patch set's manifest (patches/manifest.json), markers and bundle fingerprints (patches/fingerprints.json)
export { CLIENT_PACKAGE, NODE_PACKAGE, SDK_PACKAGE, SERVER_PACKAGE, filesInPatch, fixStates, fixesFor, marker, packageNames, patchFiles, patchesDir, readManifest, supportedVersions, versionDir } from './manifest.js'
export type { FixInfo, FixState, Manifest, PackageEntry } from './manifest.js'
export { buildPackageFingerprints, readFingerprints } from './fingerprints.js'
export type { Fingerprints } from './fingerprints.js'

// Verifying behaviour
export { CheckFailure, checks, ensure, verifyInstall } from './verify/index.js'
export type { Check, CheckContext, CopyVerification, FixVerification, ModuleFlavor, VerifyOptions, VerifyOutcome, VerifyReport } from './verify/index.js'

// Errors
export { PatchError } from './errors.js'
export type { PatchErrorCode } from './errors.js'
