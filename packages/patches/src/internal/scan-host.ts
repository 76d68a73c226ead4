import { readFileSync, readdirSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { PatchError } from '../errors.js'
import { literalCounts, type Fingerprints } from '../fingerprints.js'
import { matchBundle, type BundleMatch, type ScannedFile } from './match-bundle.js'
import { oneGeneration } from './one-generation.js'

/**
 * Every file of the SDK's session transports carries the session header's
 * name as a literal, minified or not; a package without it anywhere has not
 * bundled them, and its files need no closer look.
 */
const NEEDLE = /mcp-session-id/i

/** Smaller files cannot hold a transport module (the client's alone is over 10 KB minified). */
const MIN_BYTES = 4096

/** JavaScript files of one package, its own `node_modules` excluded, symlinks not followed. */
function* javascriptFiles(dir: string, budget: { files: number }): Generator<string> {
  let entries
  try {
    entries = readdirSync(dir, { withFileTypes: true })
  } catch {
    return
  }
  for (const entry of entries) {
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules' && !entry.name.startsWith('.')) yield* javascriptFiles(join(dir, entry.name), budget)
    } else if (entry.isFile() && /\.[cm]?js$/.test(entry.name)) {
      if (--budget.files < 0) {
        throw new PatchError('MCPS_WALK_LIMIT', `Failed to inspect ${dir}: more JavaScript files under node_modules than the scan reads (bounded so it cannot run unbounded). Please report this with the output of \`npm ls --all\`.`)
      }
      yield join(dir, entry.name)
    }
  }
}

function read(path: string): string | undefined {
  try {
    return statSync(path).size >= MIN_BYTES ? readFileSync(path, 'utf8') : undefined
  } catch {
    return undefined
  }
}

/** A bundled copy of one SDK package inside another package's files. */
export interface HostMatch extends BundleMatch {
  package: string
}

/**
 * Looks into one package's own JavaScript for bundled copies of the SDK
 * packages `fingerprints` knows. Cheap for the usual package: only files that
 * mention the session header are read closely; for a package that has one,
 * every file is scored, so a bundle split into chunks is matched whole.
 *
 * @example
 * scanHost('/app/node_modules/mcp-proxy', readFingerprints()) // [{ package: '@modelcontextprotocol/sdk', versions: ['1.27.1'], … }]
 */
export function scanHost(dir: string, fingerprints: Fingerprints, budget = { files: 500_000 }): HostMatch[] {
  const texts = new Map<string, string>()
  let mentions = false
  for (const path of javascriptFiles(dir, budget)) {
    const text = read(path)
    if (text === undefined) continue
    texts.set(path, text)
    mentions ||= NEEDLE.test(text)
  }
  if (!mentions) return []
  const files: ScannedFile[] = [...texts].map(([path, text]) => ({ path: relative(dir, path), counts: literalCounts(text) }))
  const matches: HostMatch[] = []
  for (const [pkg, fp] of Object.entries(fingerprints.packages)) {
    const match = matchBundle(fp, files)
    if (match) matches.push({ package: pkg, ...match })
  }
  return oneGeneration(matches, fingerprints, files)
}
