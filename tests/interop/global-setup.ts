/**
 * Installs what the interop project runs besides this repo's own packages,
 * once per run and in parallel: Node 22, both conformance suite versions and
 * the foreign clients, each pinned (pins.ts) into .cache/ from the npm
 * registry, and the v1 SDK client's matrix cells (.matrix/<version>/). Tests read the paths with `inject('interop')`.
 */
import { rmSync } from 'node:fs'
import { join } from 'node:path'
import type { TestProject } from 'vitest/node'
import { cellDir, ensureCells } from '@mcp-sessions/tools/matrix.js'
import { ensureNode, ensurePackages } from '@mcp-sessions/tools/npm-cache.js'
import { recordsDir } from './helpers/report.js'
import { CONFORMANCE_VERSIONS, FOREIGN_CLIENTS, NODE_LINE, SDK_V1_VERSION, type ConformanceVersion, type ForeignClient } from './pins.js'

export interface InteropPaths {
  node22: string
  /** The conformance CLI (`dist/index.js`) per suite version. */
  conformance: Record<ConformanceVersion, string>
  /** The install folder per foreign client (its `node_modules` holds the client). */
  clients: Record<ForeignClient, string>
  /** The matrix cells of SDK_V1_VERSION (each `node_modules` holds the SDK, as published or patched). */
  sdkV1: Record<'plain' | 'patched', string>
}

declare module 'vitest' {
  export interface ProvidedContext {
    interop: InteropPaths
  }
}

// @ai-sdk/mcp declares zod as a peer; pin the one this repo uses.
const EXTRA: Partial<Record<ForeignClient, string[]>> = { 'ai-sdk-mcp': ['zod@4.6.7'] }

export default async function setup(project: TestProject): Promise<void> {
  const started = Date.now()
  rmSync(recordsDir, { recursive: true, force: true })
  const [node22, conformance, clients] = await Promise.all([
    ensureNode(NODE_LINE),
    Promise.all(CONFORMANCE_VERSIONS.map(async v => {
      const dir = await ensurePackages(join('interop', 'conformance', v), [`@modelcontextprotocol/conformance@${v}`])
      return [v, join(dir, 'node_modules', '@modelcontextprotocol', 'conformance', 'dist', 'index.js')] as const
    })),
    Promise.all((Object.keys(FOREIGN_CLIENTS) as ForeignClient[]).map(async key => {
      const { name, version } = FOREIGN_CLIENTS[key]
      return [key, await ensurePackages(join('interop', 'clients', key), [`${name}@${version}`, ...(EXTRA[key] ?? [])])] as const
    })),
    ensureCells([SDK_V1_VERSION])
  ])
  project.provide('interop', {
    node22,
    conformance: Object.fromEntries(conformance) as InteropPaths['conformance'],
    clients: Object.fromEntries(clients) as InteropPaths['clients'],
    sdkV1: { plain: cellDir(SDK_V1_VERSION, 'plain'), patched: cellDir(SDK_V1_VERSION, 'patched') }
  })
  console.log(`[interop] Node ${NODE_LINE}, conformance ${CONFORMANCE_VERSIONS.join(' + ')}, ${clients.length} foreign clients and the SDK ${SDK_V1_VERSION} cells ready in ${((Date.now() - started) / 1000).toFixed(1)} s`)
}
