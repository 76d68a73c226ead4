import { resolve } from 'node:path'
import { applyPatches } from './apply.js'
import { readManifest, supportedVersions } from './manifest.js'
import { printApply, printStatus, printVerify } from './print.js'
import { patchStatus } from './status.js'
import { verifyInstall } from './verify/index.js'

const usage = `Usage: mcp-sessions-patch <command> [--cwd <app root>] [--json]

Commands:
  apply     patch every copy of @modelcontextprotocol/sdk in the install (use in postinstall);
            fails for any copy it cannot patch, saying why and what to do
  status    list every copy, who loads it, and which fixes its files carry
  verify    exercise every copy on loopback (esm and cjs) and report, per fix, whether it behaves as fixed
            --from <package>  only the copies that package loads, resolved from its folder
  versions  list the package versions this release patches

--json prints the report as JSON (apply, status, verify, versions).
Exit codes: 0 ok, 1 failure (a copy unsupported, bundled, not covered or not patched), 2 usage error.`

interface Args {
  command?: string
  cwd: string
  json: boolean
  from?: string
}

function parse(argv: string[]): Args | string {
  const [command, ...rest] = argv
  const args: Args = { command, cwd: process.cwd(), json: false }
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!
    if (arg === '--json') args.json = true
    else if ((arg === '--cwd' || arg === '--from') && rest[i + 1] && !rest[i + 1]!.startsWith('--')) {
      if (arg === '--cwd') args.cwd = resolve(rest[++i]!)
      else args.from = rest[++i]!
    } else return `Unknown option "${arg}"${arg === '--cwd' || arg === '--from' ? ' (it needs a value)' : ''}.`
  }
  if (args.from !== undefined && command !== 'verify') return '--from works with verify only.'
  return args
}

const print = (json: boolean, value: unknown, human: () => void) => (json ? console.log(JSON.stringify(value, null, 2)) : human())

/** Runs the CLI; returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  const args = parse(argv)
  if (typeof args === 'string') {
    console.error(`[mcp-sessions] ${args}\n${usage}`)
    return 2
  }
  const { command, cwd, json } = args
  try {
    switch (command) {
      case 'apply': {
        const result = applyPatches(cwd)
        print(json, { ok: true, ...result }, () => printApply(result))
        return 0
      }
      case 'status': {
        const report = patchStatus(cwd)
        print(json, report, () => printStatus(report))
        return report.ok ? 0 : 1
      }
      case 'verify': {
        const report = await verifyInstall(cwd, { from: args.from })
        print(json, report, () => printVerify(report))
        return report.ok ? 0 : 1
      }
      case 'versions': {
        const manifest = readManifest()
        const lists = Object.fromEntries(Object.keys(manifest.packages).map(pkg => [pkg, supportedVersions(manifest, pkg)]))
        print(json, lists, () => {
          for (const [pkg, versions] of Object.entries(lists)) for (const v of versions) console.log(`${pkg} ${v}`)
        })
        return 0
      }
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
    const e = error as { code?: unknown; message?: unknown; details?: unknown }
    if (json) console.log(JSON.stringify({ ok: false, error: { code: e.code, message: e.message }, ...(e.details as object | undefined) }, null, 2))
    console.error(error instanceof Error ? error.message : String(error))
    return 1
  }
}
