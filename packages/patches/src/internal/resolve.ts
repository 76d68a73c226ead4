import { existsSync, realpathSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, sep } from 'node:path'
import { readPackageJson } from './walk.js'

/** `import` (esm) or `require` (cjs): the two ways Node loads a package, with their export conditions. */
export type ModuleFlavor = 'esm' | 'cjs'

const conditions: Record<ModuleFlavor, string[]> = { esm: ['node', 'import', 'default'], cjs: ['node', 'require', 'default'] }

/**
 * The real folder of the package `name` as code in `fromDir` finds it: Node's
 * `node_modules` lookup, the same for `import` and `require` (each ancestor's
 * `node_modules/<name>`, nearest first; `node_modules/node_modules` skipped),
 * with symlinks resolved as Node does by default.
 *
 * @example
 * lookupPackage('/app/node_modules/fastmcp', '@modelcontextprotocol/sdk')
 * // '/app/node_modules/fastmcp/node_modules/@modelcontextprotocol/sdk' when npm nested one there
 */
export function lookupPackage(fromDir: string, name: string): string | undefined {
  let dir = fromDir
  for (;;) {
    if (!dir.endsWith(`${sep}node_modules`)) {
      const candidate = join(dir, 'node_modules', name)
      if (existsSync(join(candidate, 'package.json'))) return realpathSync(candidate)
    }
    const up = dirname(dir)
    if (up === dir) return undefined
    dir = up
  }
}

type Target = string | null | Target[] | { [condition: string]: Target }

function resolveTarget(target: Target, flavor: ModuleFlavor, star: string | undefined): string | undefined {
  if (typeof target === 'string') return target.startsWith('./') ? (star === undefined ? target : target.replaceAll('*', star)) : undefined
  if (Array.isArray(target)) {
    for (const t of target) {
      const hit = resolveTarget(t, flavor, star)
      if (hit) return hit
    }
    return undefined
  }
  if (target && typeof target === 'object') {
    for (const [key, value] of Object.entries(target)) {
      if (!conditions[flavor].includes(key)) continue
      const hit = resolveTarget(value, flavor, star)
      if (hit) return hit
    }
  }
  return undefined
}

/** The `exports` entry for `./<subpath>`: an exact key, else the `*` pattern with the longest prefix. */
function exportTarget(exports: Record<string, Target>, key: string): [Target, string | undefined] | undefined {
  if (key in exports && !key.includes('*')) return [exports[key]!, undefined]
  let best: [Target, string] | undefined
  let bestPrefix = -1
  for (const [pattern, target] of Object.entries(exports)) {
    const at = pattern.indexOf('*')
    if (at === -1) continue
    const prefix = pattern.slice(0, at)
    const suffix = pattern.slice(at + 1)
    if (key.startsWith(prefix) && key.endsWith(suffix) && key.length >= pattern.length - 1 && prefix.length > bestPrefix) {
      best = [target, key.slice(prefix.length, key.length - suffix.length)]
      bestPrefix = prefix.length
    }
  }
  return best
}

/**
 * The file `import`/`require` of `<package>/<subpath>` loads from the package
 * folder `pkgDir` (`subpath` `''` for the package itself), following its
 * `exports` with the flavor's conditions, else `main`. Undefined when the
 * package does not export it.
 *
 * @example
 * resolveExport(sdkDir, 'client/streamableHttp.js', 'esm') // <sdkDir>/dist/esm/client/streamableHttp.js
 */
export function resolveExport(pkgDir: string, subpath: string, flavor: ModuleFlavor): string | undefined {
  const pkg = readPackageJson(pkgDir) as { exports?: unknown; main?: unknown } | undefined
  if (!pkg) return undefined
  const key = subpath === '' ? '.' : `./${subpath}`
  if (pkg.exports === undefined) {
    if (subpath === '') return join(pkgDir, typeof pkg.main === 'string' ? pkg.main : 'index.js')
    return join(pkgDir, subpath)
  }
  const exports = pkg.exports as Target
  const map = typeof exports === 'object' && exports && !Array.isArray(exports) && Object.keys(exports).some(k => k.startsWith('.')) ? (exports as Record<string, Target>) : { '.': exports }
  const entry = exportTarget(map, key)
  if (!entry) return undefined
  const file = resolveTarget(entry[0], flavor, entry[1])
  return file ? join(pkgDir, file) : undefined
}

/**
 * The file `require('<name>/<subpath>')` loads from code in `fromDir`: Node's
 * own resolver, so the cjs answer needs no reimplementation.
 */
export function requireResolve(fromDir: string, name: string, subpath: string): string | undefined {
  try {
    return realpathSync(createRequire(join(fromDir, 'noop.js')).resolve(subpath ? `${name}/${subpath}` : name))
  } catch {
    return undefined
  }
}
