import { CLIENT_PACKAGE, SDK_PACKAGE, SERVER_PACKAGE, type Manifest } from '@mcp-sessions/patches'

/**
 * Which matrix cells a run covers. A cell is one release of one package the
 * patch set covers (the v1 SDK, `@modelcontextprotocol/client`, `/server`),
 * installed twice: plain and patched. No I/O here, so vitest.config.ts, the
 * matrix and the proof runner agree on names.
 */
export interface CellId {
  pkg: string
  version: string
}

/** `1.32.2` for the v1 SDK, `client@2.4.0` for a v2 package (its manifest `dir`): the folder under .matrix/ and the name in MCPS_VERSIONS. */
export function cellKey(cell: CellId, manifest: Manifest): string {
  return cell.pkg === SDK_PACKAGE ? cell.version : `${manifest.packages[cell.pkg]?.dir ?? cell.pkg}@${cell.version}`
}

/** The vitest project of a cell: `sdk@1.32.2-plain`, `client@2.4.0-patched`. */
export function projectName(cell: CellId, flavor: 'plain' | 'patched', manifest: Manifest): string {
  return `${cell.pkg === SDK_PACKAGE ? 'sdk@' : ''}${cellKey(cell, manifest)}-${flavor}`
}

/**
 * What a cell installs: the package under test, and in a server cell the
 * client package of the same release, as published, to drive the server.
 */
export function cellDependencies(cell: CellId): Record<string, string> {
  return cell.pkg === SERVER_PACKAGE ? { [cell.pkg]: cell.version, [CLIENT_PACKAGE]: cell.version } : { [cell.pkg]: cell.version }
}

/** Guard suites that also run on a v2 package (they load the SDK through tests/helpers/sdk-api.ts). */
const V2_GUARDS: Record<string, string[]> = {
  server: ['tests/guards/1852-sessions-outlive-sockets.test.ts']
}

/**
 * The test files a cell runs. A v1 cell runs every suite in tests/fixes and
 * tests/guards. A v2 cell runs the proof tests of the fixes the manifest lists
 * for its package (`<slug>*.test.ts`, the same files as on v1, which load
 * either generation through tests/helpers/sdk-api.ts), and the guards above.
 */
export function cellTests(cell: CellId, manifest: Manifest): string[] {
  if (cell.pkg === SDK_PACKAGE) return ['tests/fixes/*.test.ts', 'tests/guards/*.test.ts']
  const proofs = manifest.fixes.flatMap(f => f.packages?.[cell.pkg]?.test ?? []).map(test => test.replace(/\.test\.ts$/, '*.test.ts'))
  return [...new Set(proofs), ...(V2_GUARDS[manifest.packages[cell.pkg]?.dir ?? ''] ?? [])]
}

/**
 * The cells `MCPS_VERSIONS` selects (comma-separated), every cell when it is
 * empty. An entry is a v1 release (`1.32.2`), a v2 package release
 * (`client@2.4.0`), a v2 package (`server`: all its releases), `v1` or `v2`.
 *
 * @example
 * selectCells(manifest, 'v1')                    // the 19 v1 releases
 * selectCells(manifest, '1.32.2,client@2.4.0')   // two cells
 */
export function selectCells(manifest: Manifest, wanted = ''): CellId[] {
  // A package release with no fixes (@modelcontextprotocol/node) has nothing to prove.
  const all = Object.entries(manifest.packages).flatMap(([pkg, entry]) =>
    Object.entries(entry.versions)
      .filter(([, states]) => Object.keys(states).length > 0)
      .map(([version]) => ({ pkg, version }))
  )
  const entries = wanted.split(',').map(s => s.trim()).filter(Boolean)
  if (!entries.length) return all
  const matches = (entry: string, cell: CellId) => {
    const key = cellKey(cell, manifest)
    if (entry === 'v1') return cell.pkg === SDK_PACKAGE
    if (entry === 'v2') return cell.pkg !== SDK_PACKAGE
    return key === entry || (cell.pkg !== SDK_PACKAGE && key.split('@')[0] === entry)
  }
  const unknown = entries.filter(e => !all.some(c => matches(e, c)))
  if (unknown.length) {
    throw new Error(
      `[mcp-sessions] MCPS_VERSIONS names cells this patch set does not have: ${unknown.join(', ')}. ` +
        `Use v1 releases (${all.filter(c => c.pkg === SDK_PACKAGE).map(c => c.version).join(', ')}), v2 ones as client@<version> or server@<version>, a package (client, server), v1 or v2.`
    )
  }
  return all.filter(c => entries.some(e => matches(e, c)))
}
