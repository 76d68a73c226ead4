/**
 * The string literals of a JavaScript file, comments skipped: the part of a
 * module that survives bundling and minifying unchanged (identifiers are
 * renamed, code reformatted, but an error message stays the same text).
 * A template literal yields its static chunks. A small scanner, not a parser:
 * it tells a regular expression from a division by the token before the `/`,
 * which is enough for bundler and compiler output.
 *
 * @example
 * stringLiterals('throw new Error(`Error POSTing to endpoint: ${text}`) // "x"')
 * // ['Error POSTing to endpoint: ']
 */
export function stringLiterals(source: string): string[] {
  const found: string[] = []
  /** One entry per open template literal: the `{` depth inside its current `${ }`. */
  const templates: number[] = []
  let i = 0
  let regexAllowed = true
  const n = source.length
  while (i < n) {
    const c = source[i]!
    if (c === '/' && source[i + 1] === '/') {
      const end = source.indexOf('\n', i)
      i = end === -1 ? n : end
    } else if (c === '/' && source[i + 1] === '*') {
      const end = source.indexOf('*/', i + 2)
      i = end === -1 ? n : end + 2
    } else if (c === '"' || c === "'") {
      const [text, next] = quoted(source, i + 1, c)
      found.push(text)
      i = next
      regexAllowed = false
    } else if (c === '`' || (c === '}' && templates.length && templates.at(-1) === 0)) {
      if (c === '}') templates.pop()
      const [text, next, opened] = templateChunk(source, i + 1)
      if (text) found.push(text)
      if (opened) templates.push(0)
      i = next
      regexAllowed = opened
    } else if (c === '/' && regexAllowed) {
      i = skipRegex(source, i + 1)
      regexAllowed = false
    } else {
      if (c === '{' && templates.length) templates[templates.length - 1]!++
      if (c === '}' && templates.length) templates[templates.length - 1]!--
      if (!/\s/.test(c)) regexAllowed = regexMayFollow(source, i)
      i++
    }
  }
  return found
}

const escapes: Record<string, string> = { n: '\n', t: '\t', r: '\r', b: '\b', f: '\f', v: '\v', '0': '\0' }

function unescape(next: string): string {
  return escapes[next] ?? next
}

/** Reads a '…' or "…" literal starting after its quote; returns its text and the index after it. */
function quoted(source: string, start: number, quote: string): [string, number] {
  let text = ''
  let i = start
  while (i < source.length && source[i] !== quote && source[i] !== '\n') {
    if (source[i] === '\\') {
      text += unescape(source[i + 1] ?? '')
      i += 2
    } else text += source[i++]
  }
  return [text, i + 1]
}

/** Reads a template chunk up to its closing backtick or the next `${`; says which one ended it. */
function templateChunk(source: string, start: number): [string, number, boolean] {
  let text = ''
  let i = start
  while (i < source.length) {
    const c = source[i]!
    if (c === '\\') {
      text += unescape(source[i + 1] ?? '')
      i += 2
    } else if (c === '`') return [text, i + 1, false]
    else if (c === '$' && source[i + 1] === '{') return [text, i + 2, true]
    else {
      text += c
      i++
    }
  }
  return [text, i, false]
}

function skipRegex(source: string, start: number): number {
  let i = start
  let inClass = false
  while (i < source.length && source[i] !== '\n') {
    const c = source[i]
    if (c === '\\') i++
    else if (c === '[') inClass = true
    else if (c === ']') inClass = false
    else if (c === '/' && !inClass) return i + 1
    i++
  }
  return i
}

const keywordsBeforeRegex = /(?:^|[^\w$])(?:return|typeof|instanceof|in|of|new|delete|void|throw|case|do|else|yield|await)$/

/** Whether a `/` after the character at `i` starts a regular expression rather than a division. */
function regexMayFollow(source: string, i: number): boolean {
  const c = source[i]!
  if (/[(,=:[!&|?{};+\-*%<>~^]/.test(c)) return true
  if (/[\w$]/.test(c)) return keywordsBeforeRegex.test(source.slice(Math.max(0, i - 11), i + 1))
  return false
}
