import { resolve } from 'node:path'
import { applyPatches } from './apply.js'
import { readManifest, supportedVersions } from './manifest.js'
import { patchStatus, type StatusReport } from './status.js'
import { verifyInstalledSdk, type VerifyReport } from './verify/index.js'

const usage = `Usage: mcp-sessions-patch <command> [--cwd <app root>]

Commands:
  apply     apply the fixes for the installed @modelcontextprotocol/sdk (use in postinstall)
  status    list which fixes the installed SDK carries (reads the patched files)
  verify    exercise the installed SDK on loopback and report, per fix, whether its behaviour is fixed
  versions  list the SDK versions this release supports

Exit codes: 0 ok, 1 failure (unsupported SDK, patch failed, fix missing), 2 usage error.`

function printReport(report: StatusReport): void {
  console.log(`@modelcontextprotocol/sdk ${report.version}${report.supported ? '' : ' (not supported)'}`)
  for (const fix of report.fixes) {
    const where = fix.missingIn.length && fix.presence === 'partial' ? `  missing in ${fix.missingIn.join(', ')}` : ''
    console.log(`  ${fix.presence.padEnd(13)} ${fix.slug.padEnd(28)} ${fix.title}${where}`)
  }
}

function printVerify(report: VerifyReport): void {
  console.log(`@modelcontextprotocol/sdk ${report.version} (${report.sdkDir})${report.supported ? '' : ' (not supported)'}`)
  const label = { fixed: 'fixed', 'not-fixed': 'NOT fixed', 'not-affected': 'not-affected', unchecked: 'unchecked' }
  for (const fix of report.fixes) {
    console.log(`  ${label[fix.outcome].padEnd(13)} ${fix.slug.padEnd(28)} ${fix.behaviour ?? fix.title}`)
    for (const detail of fix.details) console.log(`                ${detail}`)
  }
  const missing = report.fixes.filter(f => f.outcome === 'not-fixed').map(f => f.slug)
  if (!report.supported) console.error(`[mcp-sessions] @modelcontextprotocol/sdk ${report.version} is not supported. Supported versions: ${report.supportedVersions.join(', ')}.`)
  else if (missing.length) console.error(`[mcp-sessions] Failed to verify ${missing.join(', ')}: the installed SDK lacks the fixed behaviour. Run mcp-sessions-patch apply (or reinstall the SDK so postinstall runs it), then verify again.`)
  else console.log(`[mcp-sessions] verified: every fix that applies to ${report.version} behaves as fixed.`)
}

/** Runs the CLI; returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv
  let cwd = process.cwd()
  for (let i = 0; i < rest.length; i++) {
    if (rest[i] === '--cwd' && rest[i + 1]) cwd = resolve(rest[++i]!)
    else {
      console.error(`[mcp-sessions] Unknown option "${rest[i]}".\n${usage}`)
      return 2
    }
  }
  try {
    switch (command) {
      case 'apply': {
        const result = applyPatches(cwd)
        const applied = result.report.fixes.filter(f => f.presence === 'applied').map(f => f.slug)
        console.log(
          result.outcome === 'already-applied'
            ? `[mcp-sessions] @modelcontextprotocol/sdk ${result.version}: already patched (${applied.join(', ')}); nothing changed.`
            : `[mcp-sessions] @modelcontextprotocol/sdk ${result.version}: applied ${applied.join(', ')}.`
        )
        return 0
      }
      case 'status': {
        const report = patchStatus(cwd)
        printReport(report)
        return report.supported && report.fixes.every(f => f.presence === 'applied' || f.presence === 'not-affected') ? 0 : 1
      }
      case 'verify': {
        const report = await verifyInstalledSdk(cwd)
        printVerify(report)
        return report.ok ? 0 : 1
      }
      case 'versions':
        console.log(supportedVersions(readManifest()).join('\n'))
        return 0
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        console.log(usage)
        return command === undefined ? 2 : 0
      default:
        console.error(`[mcp-sessions] Unknown command "${command}".\n${usage}`)
        return 2
    }
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error))
    return 1
  }
}
