/**
 * The session manager needs fix 1658-hydrate (a transport that continues a
 * session from its state). Without it a continued session answered 200
 * without its id, then 500 "Stateless transport cannot be reused". So the
 * built package refuses an unpatched SDK when the manager is created, in an
 * app whose node_modules holds a matrix cell's SDK, plain or patched.
 */
import { execFile } from 'node:child_process'
import { cpSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { promisify } from 'node:util'
import { beforeAll, describe, expect, it } from 'vitest'
import { cellDir, ensureCells, type Flavor } from '@mcp-sessions/tools/matrix.js'
import { repoRoot } from '@mcp-sessions/tools/paths.js'
import { tempDir } from '../../helpers/temp.js'

const run = promisify(execFile)
const VERSION = '1.32.2'

/** An app with the built @mcp-sessions/server, the cell's SDK and the server's one dependency (linked) in its node_modules. */
function app(flavor: Flavor): string {
  const dir = tempDir('mcps-unpatched-')
  const modules = join(dir, 'node_modules')
  for (const name of ['@modelcontextprotocol/sdk', '@hono/node-server']) {
    mkdirSync(join(modules, dirname(name)), { recursive: true })
    symlinkSync(join(cellDir(VERSION, flavor), 'node_modules', name), join(modules, name))
  }
  const server = join(modules, '@mcp-sessions', 'server')
  mkdirSync(server, { recursive: true })
  cpSync(join(repoRoot, 'packages', 'server', 'package.json'), join(server, 'package.json'))
  cpSync(join(repoRoot, 'packages', 'server', 'dist'), join(server, 'dist'), { recursive: true })
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }))
  writeFileSync(join(dir, 'start.js'), [
    "import { createSessionManager } from '@mcp-sessions/server'",
    'try {',
    '  createSessionManager({ createServer: () => { throw new Error("not reached") } })',
    "  console.log('created')",
    '} catch (error) {',
    '  console.log(JSON.stringify({ code: error.code, message: error.message }))',
    '}'
  ].join('\n'))
  return dir
}

async function start(flavor: Flavor): Promise<string> {
  const { stdout } = await run(process.execPath, ['start.js'], { cwd: app(flavor) })
  return stdout.trim()
}

describe('createSessionManager and the SDK it runs on', () => {
  beforeAll(() => ensureCells([VERSION]), 120_000)

  it('throws MCPS_SDK_UNPATCHED on the SDK as published, naming the command that fixes it', async () => {
    const out = JSON.parse(await start('plain')) as { code: string; message: string }
    expect(out.code).toBe('MCPS_SDK_UNPATCHED')
    expect(out.message).toContain('1658-hydrate')
    expect(out.message).toContain('npx mcp-sessions-patch apply')
  })

  it('creates the manager on the patched SDK', async () => {
    expect(await start('patched')).toBe('created')
  })
})
