import ts from 'typescript'

/**
 * The syntax errors of one JavaScript or declaration file, parsed in memory
 * (no resolution, no type checking): a patch that breaks a file's syntax
 * fails the build instead of the app that loads it.
 *
 * @example
 * syntaxErrors('dist/esm/client/streamableHttp.js', text) // [] when it parses
 */
export function syntaxErrors(fileName: string, text: string): string[] {
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
