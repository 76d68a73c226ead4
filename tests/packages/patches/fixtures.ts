/**
 * Throw-away installs laid out as the package managers lay them out, built
 * from the pristine SDK tarballs: the CLI's tests need exact layouts (npm
 * nesting, pnpm's virtual store, bun's isolated store, symlink cycles) without
 * a registry round trip each.
 */
import { createHash } from 'node:crypto'
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { pristineSdk } from '@mcp-sessions/tools/sdk-cache.js'
import { patchCli, type CliResult } from '../../helpers/cli.js'
import * as temp from '../../helpers/temp.js'

export const SDK = '@modelcontextprotocol/sdk'

/** A temporary folder, removed when the test finishes. */
export function tempDir(prefix = 'mcps-install-'): string {
  return temp.tempDir(prefix)
}

export function writeJson(path: string, value: unknown): void {
  mkdirSync(dirname(path), { recursive: true })
  writeFileSync(path, JSON.stringify(value, null, 2) + '\n')
}

/** An app folder with this package.json. */
export function app(pkg: Record<string, unknown> = {}): string {
  const dir = tempDir('mcps-app-')
  writeJson(join(dir, 'package.json'), { name: 'app', version: '1.0.0', private: true, ...pkg })
  return dir
}

/** A pristine SDK release at `path` (relative to `root`). */
export function sdkAt(root: string, path: string, version: string): string {
  const dir = join(root, path)
  cpSync(pristineSdk(version), dir, { recursive: true })
  return dir
}

/** A package folder with just a package.json (and optional files). */
export function packageAt(root: string, path: string, pkg: Record<string, unknown>, files: Record<string, string> = {}): string {
  const dir = join(root, path)
  writeJson(join(dir, 'package.json'), pkg)
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, file)), { recursive: true })
    writeFileSync(join(dir, file), text)
  }
  return dir
}

/** A directory symlink at `path` (relative to `root`) pointing at `target` (absolute). */
export function linkAt(root: string, path: string, target: string): void {
  mkdirSync(dirname(join(root, path)), { recursive: true })
  symlinkSync(target, join(root, path), 'dir')
}

const repoModules = join(import.meta.dirname, '..', '..', '..', 'node_modules')

/**
 * Links the SDK's own dependencies (zod, ajv, eventsource, …) into
 * `root/node_modules` from this repository's install, so that copies placed
 * anywhere below can be loaded and exercised by `verify`. Their own
 * dependencies resolve from where the links point.
 */
export function withSdkDependencies(root: string): void {
  const sdk = JSON.parse(readFileSync(join(repoModules, SDK, 'package.json'), 'utf8')) as { dependencies?: Record<string, string>; peerDependencies?: Record<string, string> }
  for (const name of new Set([...Object.keys(sdk.dependencies ?? {}), ...Object.keys(sdk.peerDependencies ?? {})])) {
    if (existsSync(join(repoModules, name))) linkAt(root, join('node_modules', name), join(repoModules, name))
  }
}

/** A hash of every file's path and content under `dir` (symlinks not followed): "nothing changed" made checkable. */
export function treeHash(dir: string): string {
  const h = createHash('sha256')
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = join(d, entry.name)
      if (entry.isDirectory()) walk(p)
      else if (entry.isFile()) h.update(p.slice(dir.length)).update(readFileSync(p)).update(String(statSync(p).mode))
    }
  }
  walk(dir)
  return h.digest('hex')
}

/** Runs `mcp-sessions-patch <args> --json` and parses what it prints. */
export async function cliJson<T = any>(args: string[], cwd: string): Promise<CliResult & { json: T }> {
  const result = await patchCli([...args, '--json'], cwd)
  let json: T
  try {
    json = JSON.parse(result.stdout) as T
  } catch {
    throw new Error(`mcp-sessions-patch ${args.join(' ')} --json printed no JSON (exit ${result.code}):\n${result.stdout}\n${result.stderr}`)
  }
  return { ...result, json }
}
