import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { PatchError } from './errors.js'

export interface InstalledSdk {
  /** The SDK's folder: `<app>/node_modules/@modelcontextprotocol/sdk`. */
  dir: string
  version: string
}

/**
 * Reads the installed SDK's version by path: the SDK's `./*` export maps
 * `package.json` to `dist/cjs/package.json`, so `require.resolve` would lie.
 */
export function findInstalledSdk(appRoot: string): InstalledSdk {
  const dir = join(appRoot, 'node_modules', '@modelcontextprotocol', 'sdk')
  const pkg = join(dir, 'package.json')
  if (!existsSync(pkg)) {
    throw new PatchError('MCPS_SDK_NOT_INSTALLED', `Failed to find @modelcontextprotocol/sdk in ${join(appRoot, 'node_modules')}. Run mcp-sessions-patch from your app's root, after the SDK is installed.`)
  }
  const { version } = JSON.parse(readFileSync(pkg, 'utf8')) as { version: string }
  return { dir, version }
}
