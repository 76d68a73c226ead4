import type { Install, SdkCopy } from './copies.js'
import { PatchError } from './errors.js'
import { lookupPackage } from './internal/resolve.js'

/** A copy, and the folder of the package that loads it (resolving from there lands on the copy). */
export interface LoadedCopy {
  copy: SdkCopy
  /** Real folder of the loading package. */
  from: string
}

/**
 * The copies the package `name` loads, directly or through its own
 * dependencies: Node's lookup from its folder for each package it declares,
 * then from each of those, and so on (each folder once). Every installed
 * folder of `name` counts. Throws `MCPS_FROM_NOT_FOUND` when none is
 * installed.
 *
 * @example
 * copiesLoadedBy(findCopies('/srv/app'), 'fastmcp')
 * // [{ copy: <sdk 1.32.2 nested under fastmcp>, from: '/srv/app/node_modules/fastmcp' }, { copy: <@modelcontextprotocol/server 2.4.0>, from: '…/mcp-proxy' }]
 */
export function copiesLoadedBy(install: Install, name: string): LoadedCopy[] {
  const starts = install.packages.filter(p => p.name === name)
  if (starts.length === 0) {
    const dependents = [...new Set(install.copies.flatMap(c => c.loadedBy.filter(l => !l.app).map(l => l.name)))]
    throw new PatchError(
      'MCPS_FROM_NOT_FOUND',
      `Failed to verify --from ${name}: no package named "${name}" is installed in ${install.root}/node_modules.` +
        (dependents.length ? ` Packages that load a copy of the SDK: ${dependents.join(', ')}.` : '')
    )
  }
  const byDir = new Map(install.packages.map(p => [p.realDir, p]))
  const copyAt = new Map(install.copies.filter(c => c.kind === 'package').map(c => [c.dir, c]))
  const bundledAt = (dir: string) => install.copies.filter(c => c.kind === 'bundled' && c.dir === dir)
  const found = new Map<SdkCopy, string>()
  const seen = new Set<string>()
  const queue = starts.map(p => p.realDir)
  for (let dir = queue.shift(); dir !== undefined; dir = queue.shift()) {
    if (seen.has(dir)) continue
    seen.add(dir)
    for (const copy of bundledAt(dir)) if (!found.has(copy)) found.set(copy, dir)
    for (const dep of byDir.get(dir)?.declares ?? []) {
      const target = lookupPackage(dir, dep)
      if (!target) continue
      const copy = copyAt.get(target)
      if (copy && !found.has(copy)) found.set(copy, dir)
      if (!seen.has(target)) queue.push(target)
    }
  }
  return [...found].map(([copy, from]) => ({ copy, from }))
}
