/**
 * Each published package exposes, in its built `.d.ts`, only what its README
 * documents: every exported name appears in the README as code (`name`).
 * Internals that leak into the types (a protected method, a class a user
 * cannot construct) fail here.
 */
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import ts from 'typescript'
import { describe, expect, it } from 'vitest'
import { repoRoot } from '@mcp-sessions/tools/paths.js'

/** The names a built entry point exports, as TypeScript resolves them. */
function exportedNames(entry: string): string[] {
  const program = ts.createProgram([entry], { noEmit: true, skipLibCheck: true, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext })
  const checker = program.getTypeChecker()
  const module = checker.getSymbolAtLocation(program.getSourceFile(entry)!)!
  return checker.getExportsOfModule(module).map(s => s.getName()).sort()
}

describe.each(['patches', 'server', 'redis'])('@mcp-sessions/%s', name => {
  const dir = join(repoRoot, 'packages', name)
  const entry = join(dir, 'dist', 'index.d.ts')

  it('documents every name its built types export', () => {
    expect(existsSync(entry), `${entry} is missing: run npm run build`).toBe(true)
    const readme = readFileSync(join(dir, 'README.md'), 'utf8')
    const names = exportedNames(entry)
    expect(names.length).toBeGreaterThan(0)
    // Inline code and code blocks: a name counts as documented where it stands as a word in code.
    const code = [...readme.matchAll(/```[\s\S]*?```|`[^`\n]+`/g)].map(m => m[0]).join('\n')
    const undocumented = names.filter(n => !new RegExp(`\\b${n}\\b`).test(code))
    expect(undocumented, `exported by ${name} but not in packages/${name}/README.md`).toEqual([])
  })

  it('exposes no internal module in its declarations', () => {
    const declarations = readFileSync(entry, 'utf8')
    expect(declarations).not.toMatch(/from '\.\/internal\//)
  })
})
