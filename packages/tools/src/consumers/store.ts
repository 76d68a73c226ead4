import { createHash } from 'node:crypto'
import { existsSync, readFileSync, readdirSync } from 'node:fs'
import { join, relative } from 'node:path'
import { filesInPatch, patchFiles } from '@mcp-sessions/patches'
import { SDK_PACKAGE } from '../versions.js'

const sha = (text: Buffer | string) => createHash('sha256').update(text).digest('hex')

/** Every regular file under `dir` (symlinks not followed). */
function* walk(dir: string): Generator<string> {
  if (!existsSync(dir)) return
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) yield join(entry.parentPath, entry.name)
  }
}

/**
 * Store files whose content is one of the patched files of an app's SDK
 * copies: if any, `apply` wrote through a hard link into the machine-wide
 * store (and so patched every other project that uses it).
 *
 * @example
 * patchedCopiesInStore([{ dir: `${app}/node_modules/@modelcontextprotocol/sdk`, version: '1.27.1' }], pnpmStore) // []
 */
export function patchedCopiesInStore(copies: Array<{ dir: string; version: string; package?: string }>, store: string): string[] {
  const patched = new Set(
    copies.flatMap(c => {
      const pkg = c.package ?? SDK_PACKAGE
      return patchFiles(c.version, undefined, pkg).flatMap(p => filesInPatch(p, pkg)).map(f => sha(readFileSync(join(c.dir, f))))
    })
  )
  const hits: string[] = []
  for (const file of walk(store)) if (patched.has(sha(readFileSync(file)))) hits.push(relative(store, file))
  return hits
}
