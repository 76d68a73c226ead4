import { existsSync, readFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'

/** Per generated line: segments [generated column, source index, source line], in column order. */
type Lines = Array<Array<[number, number, number]>>

const cache = new Map<string, { sources: string[]; lines: Lines } | undefined>()

/** Decodes a source map's `mappings` (base64 VLQ) into what `originalLine` needs. */
function decode(mappings: string): Lines {
  const lines: Lines = []
  let source = 0
  let sourceLine = 0
  for (const text of mappings.split(';')) {
    const line: Array<[number, number, number]> = []
    let column = 0
    for (const segment of text.split(',')) {
      if (segment === '') continue
      const fields: number[] = []
      for (let i = 0, value = 0, shift = 0; i < segment.length; i++) {
        const digit = BASE64.indexOf(segment[i]!)
        value += (digit & 31) << shift
        if (digit & 32) {
          shift += 5
          continue
        }
        fields.push(value & 1 ? -(value >>> 1) : value >>> 1)
        value = 0
        shift = 0
      }
      column += fields[0]!
      if (fields.length < 4) continue
      source += fields[1]!
      sourceLine += fields[2]!
      line.push([column, source, sourceLine])
    }
    lines.push(line)
  }
  return lines
}

function load(jsPath: string): { sources: string[]; lines: Lines } | undefined {
  if (!cache.has(jsPath)) {
    const mapPath = `${jsPath}.map`
    if (!existsSync(mapPath)) cache.set(jsPath, undefined)
    else {
      const map = JSON.parse(readFileSync(mapPath, 'utf8')) as { sources: string[]; sourceRoot?: string; mappings: string }
      const base = resolve(dirname(mapPath), map.sourceRoot ?? '')
      cache.set(jsPath, { sources: map.sources.map(s => resolve(base, s)), lines: decode(map.mappings) })
    }
  }
  return cache.get(jsPath)
}

/**
 * The source file and 1-based line that a generated position (0-based, as in a `.cpuprofile`)
 * of a compiled file comes from, through the `.js.map` beside it; `undefined` without one.
 *
 * @example
 * originalLine('/repo/packages/server/dist/internal/node-http.js', 19, 0) // { source: '/repo/packages/server/src/internal/node-http.ts', line: 20 }
 */
export function originalLine(jsPath: string, line: number, column: number): { source: string; line: number } | undefined {
  const map = load(jsPath)
  const segments = map?.lines[line]
  if (!map || !segments || segments.length === 0) return undefined
  let best = segments[0]!
  for (const segment of segments) {
    if (segment[0] > column) break
    best = segment
  }
  return { source: map.sources[best[1]]!, line: best[2] + 1 }
}
