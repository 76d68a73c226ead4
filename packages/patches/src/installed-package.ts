/** One installed package folder, as the walk found it. */
export interface InstalledPackage {
  name: string
  version: string
  /** The folder where it was found (under a `node_modules`, possibly a symlink). */
  dir: string
  /** The folder's real path: what Node resolves and loads from. */
  realDir: string
  /** Names the package declares in dependencies, peerDependencies or optionalDependencies. */
  declares: string[]
  bugs?: string
}

/** Bounds on the walk, so a pathological tree ends it with an error instead of running for ever. */
export interface WalkLimits {
  /** Package folders visited; default 50,000. */
  packages: number
  /** `node_modules` folders nested inside each other; default 40. */
  depth: number
}
