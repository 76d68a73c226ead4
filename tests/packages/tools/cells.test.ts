/**
 * Which matrix cells a run covers (MCPS_VERSIONS): v1 releases, v2 package
 * releases, whole packages, or a generation; the names the matrix, vitest and
 * the proof runner share.
 */
import { describe, expect, it } from 'vitest'
import { readManifest } from '@mcp-sessions/patches'
import { cellKey, cellTests, projectName, selectCells } from '@mcp-sessions/tools/cells.js'

const manifest = readManifest()
const keys = (wanted: string) => selectCells(manifest, wanted).map(c => cellKey(c, manifest))

describe('matrix cells', () => {
  it('selects every v1 and v2 release with fixes when nothing is named, and no @modelcontextprotocol/node cell', () => {
    const all = keys('')
    expect(all).toContain('1.32.2')
    expect(all).toContain('client@2.4.0')
    expect(all).toContain('server@2.0.0')
    expect(all.filter(k => k.startsWith('node@'))).toEqual([])
  })

  it('selects by release, by package and by generation', () => {
    expect(keys('1.32.2,client@2.4.0')).toEqual(['1.32.2', 'client@2.4.0'])
    expect(keys('server')).toEqual(['server@2.0.0', 'server@2.1.0', 'server@2.2.0', 'server@2.3.0', 'server@2.3.1', 'server@2.4.0'])
    expect(keys('v2')).toHaveLength(12)
    expect(keys('v1').every(k => /^1\.\d+\.\d+$/.test(k))).toBe(true)
  })

  it('refuses a cell the patch set does not have, saying what it has', () => {
    expect(() => keys('client@9.9.9')).toThrow(/names cells this patch set does not have: client@9\.9\.9\. Use v1 releases \(1\.24\.0,.*client@<version>/)
  })

  it('names projects and test files per generation', () => {
    const [client] = selectCells(manifest, 'client@2.4.0')
    expect(projectName(client!, 'plain', manifest)).toBe('client@2.4.0-plain')
    expect(projectName(selectCells(manifest, '1.32.2')[0]!, 'patched', manifest)).toBe('sdk@1.32.2-patched')
    expect(cellTests(client!, manifest)).toEqual(expect.arrayContaining(['tests/fixes/1708-client-404*.test.ts', 'tests/fixes/1476-session-recovery*.test.ts', 'tests/fixes/2499-client-resume-token*.test.ts']))
    expect(cellTests(client!, manifest)).not.toContain('tests/fixes/2559-json-response-leak*.test.ts')
  })
})
