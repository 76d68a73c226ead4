import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { exec, pmEnv } from './exec.js'
import type { Pm } from './package-managers.js'

export interface AppSpec {
  name: string
  pm: Pm
  /** Exact versions only: the apps pin everything they name. */
  dependencies: Record<string, string>
  /** More package.json fields (overrides, resolutions). */
  fields?: Record<string, unknown>
  /** More files in the app's folder (pnpm-workspace.yaml). */
  files?: Record<string, string>
}

/** The dependency on the packed tarball, as `npm i -D <tarball>` writes it; left out for an app that adds it itself. */
export const patchesDependency = (tarball: string) => ({ '@mcp-sessions/patches': `file:${tarball}` })

/**
 * Writes a consumer app as the README tells users to set one up: the
 * packed @mcp-sessions/patches as a dependency and
 * `"postinstall": "mcp-sessions-patch apply"`.
 */
export async function writeApp(dir: string, spec: AppSpec, tarball: string | undefined): Promise<void> {
  mkdirSync(dir, { recursive: true })
  const pkg = {
    name: spec.name,
    private: true,
    type: 'module',
    scripts: { postinstall: 'mcp-sessions-patch apply', verify: 'mcp-sessions-patch verify' },
    dependencies: { ...spec.dependencies, ...(tarball ? patchesDependency(tarball) : {}) },
    ...spec.fields
  }
  writeFileSync(join(dir, 'package.json'), JSON.stringify(pkg, null, 2) + '\n')
  for (const [file, text] of Object.entries(spec.files ?? {})) writeFileSync(join(dir, file), text)
  if (spec.pm === 'yarn') {
    const registry = (await exec('npm', ['config', 'get', 'registry'], dir, pmEnv())).output.trim().split('\n').pop()
    // patch-package needs a node_modules folder; Plug'n'Play has none.
    writeFileSync(join(dir, '.yarnrc.yml'), `nodeLinker: node-modules\nenableTelemetry: false\nnpmRegistryServer: "${registry}"\n`)
    writeFileSync(join(dir, 'yarn.lock'), '')
  }
}
