/**
 * pnpm and bun install package files as hard links into a machine-wide store;
 * pnpm also links identical files (the SDK's esm and cjs `.d.ts`) to one
 * inode. `apply` must patch the app's own copies and leave the store as
 * published, or it would patch every other project on the machine.
 */
import { execFile } from 'node:child_process'
import { cpSync, linkSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { tempDir } from '../../helpers/temp.js'
import { detachHardLinks } from '../../../packages/patches/src/detach.js'
import { pristineSdk } from '@mcp-sessions/tools/sdk-cache.js'
import { SDK_VERSIONS } from '@mcp-sessions/tools/versions.js'

const run = promisify(execFile)
const bin = join(import.meta.dirname, '..', '..', '..', 'packages', 'patches', 'bin', 'mcp-sessions-patch.js')

function files(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter(e => e.isFile())
    .map(e => relative(dir, join(e.parentPath, e.name)))
}

describe('apply on a store-linked install', () => {
  it.each(SDK_VERSIONS)('SDK %s: patches the app copy and leaves the store as published', async version => {
    const root = tempDir('mcps-links-')
    const store = join(root, 'store')
    const app = join(root, 'app')
    cpSync(pristineSdk(version), store, { recursive: true })
    const sdk = join(app, 'node_modules', '@modelcontextprotocol', 'sdk')
    mkdirSync(sdk, { recursive: true })
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, dependencies: { '@modelcontextprotocol/sdk': version } }))
    for (const file of files(store)) {
      mkdirSync(dirname(join(sdk, file)), { recursive: true })
      linkSync(join(store, file), join(sdk, file))
    }
    // As pnpm does: one inode for the identical esm and cjs declaration files.
    const dts = 'client/streamableHttp.d.ts'
    expect(readFileSync(join(store, 'dist/esm', dts), 'utf8')).toBe(readFileSync(join(store, 'dist/cjs', dts), 'utf8'))
    rmSync(join(sdk, 'dist/cjs', dts))
    linkSync(join(store, 'dist/esm', dts), join(sdk, 'dist/cjs', dts))

    const result = await run(process.execPath, [bin, 'apply'], { cwd: app }).catch((e: { stdout: string; stderr: string }) => e)
    expect('code' in result ? result.stderr : '').toBe('')
    expect(readFileSync(join(sdk, 'dist/cjs', dts), 'utf8')).toContain('mcp-sessions:')
    for (const file of files(store)) {
      expect(readFileSync(join(store, file), 'utf8'), file).toBe(readFileSync(join(pristineSdk(version), file), 'utf8'))
    }
  })

  it('gives a linked file its own inode with the same content and mode, and leaves single files alone', () => {
    const dir = tempDir('mcps-links-')
    mkdirSync(join(dir, 'pkg'))
    cpSync(join(import.meta.dirname, 'hardlinks.test.ts'), join(dir, 'pkg', 'linked.js'))
    cpSync(join(import.meta.dirname, 'hardlinks.test.ts'), join(dir, 'pkg', 'single.js'))
    linkSync(join(dir, 'pkg', 'linked.js'), join(dir, 'store.js'))
    const single = statSync(join(dir, 'pkg', 'single.js')).ino
    expect(detachHardLinks(join(dir, 'pkg'), ['linked.js', 'single.js', 'missing.js'])).toEqual(['linked.js'])
    const linked = statSync(join(dir, 'pkg', 'linked.js'))
    expect(linked.nlink).toBe(1)
    expect(linked.ino).not.toBe(statSync(join(dir, 'store.js')).ino)
    expect(linked.mode).toBe(statSync(join(dir, 'store.js')).mode)
    expect(readFileSync(join(dir, 'pkg', 'linked.js'), 'utf8')).toBe(readFileSync(join(dir, 'store.js'), 'utf8'))
    expect(statSync(join(dir, 'pkg', 'single.js')).ino).toBe(single)
  })
})
