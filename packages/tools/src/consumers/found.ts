import { readFileSync, readdirSync } from 'node:fs'
import { join, relative, sep } from 'node:path'

/** The packages that carry the SDK's session code, as the issue names them (kept apart from the CLI's own list on purpose). */
export const SESSION_PACKAGES = ['@modelcontextprotocol/sdk', '@modelcontextprotocol/client', '@modelcontextprotocol/server', '@modelcontextprotocol/node']

export interface FoundCopy {
  package: string
  version: string
  /** Real folder relative to the app root. */
  path: string
}

/**
 * Every installed folder of the session packages under `root/node_modules`,
 * found the plain way (every real directory, symlinks not followed, so each
 * pnpm store copy once): what the suite checks the CLI's own walk against.
 */
export function findInstalled(root: string): FoundCopy[] {
  const found: FoundCopy[] = []
  const top = join(root, 'node_modules')
  for (const entry of readdirSync(top, { withFileTypes: true, recursive: true })) {
    if (entry.name !== 'package.json' || !entry.isFile()) continue
    const dir = entry.parentPath
    const name = SESSION_PACKAGES.find(p => dir.endsWith(`${sep}node_modules${sep}${p.replace('/', sep)}`))
    if (!name) continue
    const { version } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }
    found.push({ package: name, version, path: relative(root, dir) })
  }
  return found.sort((a, b) => a.path.localeCompare(b.path))
}
