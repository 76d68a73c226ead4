import { createHash } from 'node:crypto'
import ts from 'typescript'

/**
 * Results by file name and content: a fix gives several releases the same
 * patched file (1.32.0 to 1.32.2 share most of `dist/`), and the patch
 * builder and the fingerprint build check the same files.
 */
const checked = new Map<string, string[]>()

/**
 * The syntax errors of one JavaScript or declaration file, parsed in memory
 * (no resolution, no type checking): a patch that breaks a file's syntax
 * fails the build instead of the app that loads it.
 *
 * @example
 * syntaxErrors('dist/esm/client/streamableHttp.js', text) // [] when it parses
 */
export function syntaxErrors(fileName: string, text: string): string[] {
  const key = `${fileName}\0${createHash('sha256').update(text).digest('base64')}`
  let errors = checked.get(key)
  if (!errors) checked.set(key, (errors = parse(fileName, text)))
  return errors
}

function parse(fileName: string, text: string): string[] {
  const options: ts.CompilerOptions = { allowJs: true, noResolve: true, noLib: true, noEmit: true, target: ts.ScriptTarget.Latest }
  const name = fileName.replace(/^\/*/, '/')
  const source = ts.createSourceFile(name, text, ts.ScriptTarget.Latest, true)
  const host: ts.CompilerHost = {
    getSourceFile: file => (file === name ? source : undefined),
    getDefaultLibFileName: () => 'lib.d.ts',
    writeFile: () => {},
    getCurrentDirectory: () => '/',
    getCanonicalFileName: file => file,
    useCaseSensitiveFileNames: () => true,
    getNewLine: () => '\n',
    fileExists: file => file === name,
    readFile: file => (file === name ? text : undefined)
  }
  const program = ts.createProgram({ rootNames: [name], options, host })
  return program.getSyntacticDiagnostics(source).map(d => {
    const at = d.start === undefined ? '' : `:${source.getLineAndCharacterOfPosition(d.start).line + 1}`
    return `${fileName}${at}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`
  })
}
