import type { ApplyResult } from './apply.js'
import type { SdkCopy } from './copies.js'
import { describeCopy } from './problems.js'
import type { StatusReport } from './status.js'
import type { VerifyReport } from './verify/index.js'

/** Human-readable output of the CLI; `--json` prints the reports themselves. */

const blocked: Record<Exclude<SdkCopy['coverage'], 'supported'>, string> = {
  'unsupported-version': 'UNSUPPORTED',
  'not-covered': 'NOT COVERED',
  bundled: 'BUNDLED'
}

function printProblem(copy: SdkCopy): void {
  if (copy.coverage !== 'supported') console.log(`  ${blocked[copy.coverage].padEnd(13)} ${copy.problem}`)
}

/**
 * `mcp-sessions-patch apply`: one line per copy.
 *
 * @example
 * printApply(applyPatches(process.cwd()))
 */
export function printApply(result: ApplyResult): void {
  for (const { copy, outcome } of result.copies) {
    const applied = copy.fixes.filter(f => f.presence === 'applied').map(f => f.slug)
    const what = `[mcp-sessions] ${describeCopy(copy)}`
    console.log(outcome === 'already-applied' ? `${what}: already patched (${applied.join(', ') || 'no fix applies'}); nothing changed.` : `${what}: applied ${applied.join(', ')}.`)
  }
}

/**
 * `mcp-sessions-patch status`: each copy, then each fix's presence in its files.
 *
 * @example
 * printStatus(patchStatus(process.cwd()))
 */
export function printStatus(report: StatusReport): void {
  for (const copy of report.copies) {
    console.log(describeCopy(copy))
    printProblem(copy)
    for (const fix of copy.fixes) {
      const where = fix.missingIn.length && fix.presence === 'partial' ? `  missing in ${fix.missingIn.join(', ')}` : ''
      console.log(`  ${fix.presence.padEnd(13)} ${fix.slug.padEnd(28)} ${fix.title}${where}`)
    }
  }
  const bad = report.copies.filter(c => !c.ok)
  if (report.copies.length === 0) console.error(`[mcp-sessions] Failed to find @modelcontextprotocol/sdk (or the v2 packages) in ${report.root}/node_modules. Run mcp-sessions-patch status in your app's root folder.`)
  else if (bad.length) console.error(`[mcp-sessions] ${bad.length} of ${report.copies.length} copies of the MCP SDK are not fully patched: ${bad.map(c => c.path).join(', ')}. Run mcp-sessions-patch apply, or follow the advice above.`)
}

const label = { fixed: 'fixed', 'not-fixed': 'NOT fixed', 'not-affected': 'not-affected', unchecked: 'unchecked' }

/**
 * `mcp-sessions-patch verify`: each copy and where it was loaded from, then each fix's behaviour.
 *
 * @example
 * printVerify(await verifyInstall(process.cwd()))
 */
export function printVerify(report: VerifyReport): void {
  for (const copy of report.copies) {
    console.log(`${describeCopy(copy)}, checked from ${copy.checkedFrom === '.' ? 'the app' : copy.checkedFrom}`)
    printProblem(copy)
    for (const fix of copy.fixes) {
      console.log(`  ${label[fix.outcome].padEnd(13)} ${fix.slug.padEnd(28)} ${fix.behaviour ?? fix.title}`)
      for (const detail of fix.details) console.log(`                ${detail}`)
    }
  }
  if (report.problem) return console.error(`[mcp-sessions] ${report.problem}`)
  const notFixed = report.copies.filter(c => c.fixes.some(f => f.outcome === 'not-fixed'))
  for (const copy of notFixed) {
    const slugs = copy.fixes.filter(f => f.outcome === 'not-fixed').map(f => f.slug)
    console.error(`[mcp-sessions] Failed to verify ${slugs.join(', ')} in ${copy.package} ${copy.version} at ${copy.path}: it lacks the fixed behaviour. Run mcp-sessions-patch apply (or reinstall so postinstall runs it), then verify again.`)
  }
  const blockedCopies = report.copies.filter(c => c.coverage !== 'supported')
  if (blockedCopies.length) console.error(`[mcp-sessions] Failed to verify ${blockedCopies.map(c => `${c.package} ${c.version} at ${c.path}`).join('; ')}: this release cannot patch it (see above).`)
  if (report.ok) console.log(`[mcp-sessions] verified: every fix that applies behaves as fixed in all ${report.copies.length} ${report.copies.length === 1 ? 'copy' : 'copies'}${report.from ? ` ${report.from} loads` : ''}.`)
}
