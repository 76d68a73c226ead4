import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { promisify } from 'node:util'

const run = promisify(execFile)
const bin = join(import.meta.dirname, '..', '..', 'packages', 'patches', 'bin', 'mcp-sessions-patch.js')

export interface CliResult {
  code: number
  stdout: string
  stderr: string
}

/** Runs `mcp-sessions-patch <args>` in `cwd` as an app's postinstall would; never throws on a non-zero exit. */
export async function patchCli(args: string[], cwd: string): Promise<CliResult> {
  try {
    const { stdout, stderr } = await run(process.execPath, [bin, ...args], { cwd })
    return { code: 0, stdout, stderr }
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string }
    return { code: e.code, stdout: e.stdout, stderr: e.stderr }
  }
}
