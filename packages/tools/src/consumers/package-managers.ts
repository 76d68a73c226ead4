import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { cacheRoot } from '../paths.js'
import { exec, pmEnv, type RunResult } from './exec.js'

export type Pm = 'npm' | 'pnpm' | 'yarn' | 'bun'

/** Versions of the package managers, installed from the npm registry into .cache/pm. */
export const PM_PACKAGES = { pnpm: 'pnpm@12.21.0', yarn: '@yarnpkg/cli-dist@4.18.1', bun: 'bun@1.4.5' } as const

const pmRoot = join(cacheRoot, 'pm')
/** Package stores and caches, kept across runs so reinstalls are quick. */
export const storeRoot = join(cacheRoot, 'consumers')

/** Installs pnpm, yarn (berry) and bun from the npm registry into .cache/pm, once. */
export async function ensurePackageManagers(): Promise<void> {
  const want = Object.values(PM_PACKAGES).join(' ')
  const stamp = join(pmRoot, '.mcps-stamp')
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === want) return
  rmSync(pmRoot, { recursive: true, force: true })
  mkdirSync(pmRoot, { recursive: true })
  writeFileSync(join(pmRoot, 'package.json'), '{ "private": true }\n')
  const r = await exec('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', ...Object.values(PM_PACKAGES)], pmRoot, pmEnv())
  if (r.code !== 0) throw new Error(`[mcp-sessions] Failed to install the package managers (${want}) into ${pmRoot}:\n${r.output}`)
  writeFileSync(stamp, want)
}

/** One package manager, as the consumer apps drive it. */
export interface PackageManager {
  name: Pm
  /** What it is, e.g. `pnpm@12.21.0` (npm: the one on the PATH). */
  version(): Promise<string>
  install(dir: string): Promise<RunResult>
  /** Adds a package (here: the packed tarball) as a dev dependency, the README's way. */
  addDev(dir: string, spec: string): Promise<RunResult>
  run(dir: string, script: string): Promise<RunResult>
  /** Its machine-wide store or cache of package files, if it links installs to one. */
  store?: string
}

function command(pm: Pm): { cmd: string; pre: string[] } {
  const bin = join(pmRoot, 'node_modules')
  switch (pm) {
    case 'npm':
      return { cmd: 'npm', pre: [] }
    case 'pnpm':
      return { cmd: process.execPath, pre: [join(bin, 'pnpm', 'bin', 'pnpm.mjs')] }
    case 'yarn':
      return { cmd: process.execPath, pre: [join(bin, '@yarnpkg', 'cli-dist', 'bin', 'yarn.js')] }
    case 'bun':
      return { cmd: join(bin, '.bin', 'bun'), pre: [] }
  }
}

const installArgs: Record<Pm, string[]> = {
  // --prefer-offline: direct dependencies are pinned; cached registry metadata saves a round trip per package.
  npm: ['install', '--no-audit', '--no-fund', '--prefer-offline'],
  pnpm: ['install', '--no-frozen-lockfile', '--store-dir', join(storeRoot, 'pnpm-store')],
  yarn: ['install', '--no-immutable'],
  bun: ['install']
}

/** The README's "add it" command for each package manager. */
export const addDevArgs: Record<Pm, string[]> = {
  npm: ['install', '--save-dev', '--no-audit', '--no-fund', '--prefer-offline'],
  pnpm: ['add', '--save-dev', '--store-dir', join(storeRoot, 'pnpm-store')],
  yarn: ['add', '--dev'],
  bun: ['add', '--dev']
}

const extraEnv: Record<Pm, Record<string, string>> = {
  npm: {},
  pnpm: {},
  yarn: { YARN_CACHE_FOLDER: join(storeRoot, 'yarn-cache'), YARN_ENABLE_TELEMETRY: '0' },
  bun: { BUN_INSTALL_CACHE_DIR: join(storeRoot, 'bun-cache') }
}

const stores: Partial<Record<Pm, string>> = { pnpm: join(storeRoot, 'pnpm-store'), bun: join(storeRoot, 'bun-cache') }

/**
 * @example
 * const pnpm = packageManager('pnpm')
 * const result = await pnpm.install(appDir)
 */
export function packageManager(name: Pm): PackageManager {
  const { cmd, pre } = command(name)
  const env = pmEnv(extraEnv[name])
  return {
    name,
    store: stores[name],
    version: async () => (name === 'npm' ? `npm@${(await exec('npm', ['--version'], pmRoot, env)).output.trim()}` : PM_PACKAGES[name]),
    install: dir => exec(cmd, [...pre, ...installArgs[name]], dir, env),
    addDev: (dir, spec) => exec(cmd, [...pre, ...addDevArgs[name], spec], dir, env),
    run: (dir, script) => exec(cmd, [...pre, 'run', script], dir, env)
  }
}
