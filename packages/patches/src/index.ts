// Applying
export { applyPatches } from './apply.js'
export type { ApplyResult } from './apply.js'

// Inspecting
export { patchStatus } from './status.js'
export type { FixPresence, FixStatus, StatusReport } from './status.js'
export { findInstalledSdk } from './sdk.js'
export { applyPackagePatches, packageStatus, readInstalledPackage } from './package-patches.js'
export type { InstalledPackage, PackageStatus } from './package-patches.js'
export type { InstalledSdk } from './sdk.js'

// The patch set's manifest (patches/manifest.json) and markers
export { CLIENT_PACKAGE, SDK_PACKAGE, SERVER_PACKAGE, filesInPatch, fixStates, fixesFor, marker, packageNames, patchFiles, patchesDir, readManifest, supportedVersions, versionDir } from './manifest.js'
export type { FixInfo, FixState, Manifest, PackageEntry } from './manifest.js'

// Verifying behaviour
export { CheckFailure, checks, ensure, verifyInstalledSdk } from './verify/index.js'
export type { Check, CheckContext, FixVerification, ModuleFlavor, VerifyOptions, VerifyOutcome, VerifyReport } from './verify/index.js'

// Errors
export { PatchError } from './errors.js'
export type { PatchErrorCode } from './errors.js'
