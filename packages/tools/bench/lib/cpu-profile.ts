import { relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { repoRoot } from '../../src/paths.js'
import { originalLine } from './source-lines.js'

/** The parts of a V8 `.cpuprofile` (what `node --cpu-prof` writes) this summary reads. */
export interface CpuProfile {
  nodes: Array<{ id: number; callFrame: CallFrame; children?: number[] }>
  startTime: number
  samples: number[]
  timeDeltas: number[]
}

interface CallFrame {
  functionName: string
  url: string
  /** 0-based, in the file V8 ran. */
  lineNumber: number
  columnNumber: number
}

/** Samples of one function (name + place), or of one module. */
export interface Entry {
  name: string
  where: string
  samples: number
}

/** Where a window of samples went: self and inclusive time per function, self time per module. */
export interface ProfileSummary {
  /** Samples in the window, idle ones included. */
  total: number
  idle: number
  gc: number
  self: Entry[]
  inclusive: Entry[]
  modules: Entry[]
}

const SPECIAL = new Set(['(root)', '(program)', '(idle)', '(garbage collector)'])

/**
 * Where a frame's function is, shortly: a repo path (a compiled file of ours mapped back to its
 * .ts line through its source map), `<package> <path in it>:<line>`, or the node: module.
 */
export function place(frame: CallFrame): string {
  if (frame.url === '') return '(V8 built-in or native)'
  if (!frame.url.startsWith('file:')) return `${frame.url}:${frame.lineNumber + 1}`
  const path = fileURLToPath(frame.url)
  const inModules = path.lastIndexOf('/node_modules/')
  if (inModules >= 0) {
    const rest = path.slice(inModules + '/node_modules/'.length).split('/')
    const name = rest[0]!.startsWith('@') ? rest.splice(0, 2).join('/') : rest.splice(0, 1)[0]!
    return `${name} ${rest.join('/')}:${frame.lineNumber + 1}`
  }
  const original = originalLine(path, frame.lineNumber, frame.columnNumber)
  return original ? `${relative(repoRoot, original.source)}:${original.line}` : `${relative(repoRoot, path)}:${frame.lineNumber + 1}`
}

/** The module part of {@link place}: everything before the line number. */
const moduleOf = (frame: CallFrame) => place(frame).replace(/:\d+$/, '')

function add(into: Map<string, Entry>, key: string, name: string, where: string, samples: number): void {
  const entry = into.get(key)
  if (entry) entry.samples += samples
  else into.set(key, { name, where, samples })
}

/**
 * Summarizes the samples taken between `from` and `to` (µs on the profile's clock, the same
 * monotonic clock as `process.hrtime`). Inclusive time counts a function once per sample even
 * when it recurses.
 *
 * @example
 * const summary = summarizeProfile(JSON.parse(readFileSync(file, 'utf8')), { from, to })
 */
export function summarizeProfile(profile: CpuProfile, window: { from: number; to: number }): ProfileSummary {
  const hits = new Map<number, number>()
  let t = profile.startTime
  let total = 0
  for (let i = 0; i < profile.samples.length; i++) {
    t += profile.timeDeltas[i]!
    if (t < window.from || t > window.to) continue
    total++
    hits.set(profile.samples[i]!, (hits.get(profile.samples[i]!) ?? 0) + 1)
  }
  const byId = new Map(profile.nodes.map(node => [node.id, node]))
  const parent = new Map<number, number>()
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id)
  const self = new Map<string, Entry>()
  const inclusive = new Map<string, Entry>()
  const modules = new Map<string, Entry>()
  let idle = 0
  let gc = 0
  for (const [id, samples] of hits) {
    const frame = byId.get(id)!.callFrame
    if (frame.functionName === '(idle)') idle += samples
    if (frame.functionName === '(garbage collector)') gc += samples
    const special = SPECIAL.has(frame.functionName)
    const where = special ? '' : place(frame)
    add(self, `${frame.functionName} ${where}`, frame.functionName || '(anonymous)', where, samples)
    const module = special ? frame.functionName : moduleOf(frame)
    add(modules, module, module, '', samples)
    const seen = new Set<string>()
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const f = byId.get(at)!.callFrame
      if (SPECIAL.has(f.functionName)) continue
      const key = `${f.functionName} ${f.url}:${f.lineNumber}:${f.columnNumber}`
      if (seen.has(key)) continue
      seen.add(key)
      add(inclusive, key, f.functionName || '(anonymous)', place(f), samples)
    }
  }
  const sorted = (m: Map<string, Entry>) => [...m.values()].sort((a, b) => b.samples - a.samples)
  return { total, idle, gc, self: sorted(self), inclusive: sorted(inclusive), modules: sorted(modules) }
}

/**
 * Markdown tables of the top `top` entries, as percentages of the busy (non-idle) samples and,
 * given the process's CPU time per request in the window, as µs per request.
 *
 * @example
 * console.log(formatProfile(summary, 25, 190))
 */
export function formatProfile(summary: ProfileSummary, top: number, cpuUsPerRequest: number, focus = 'packages/'): string {
  const busy = summary.total - summary.idle
  const cells = (n: number) => `${((100 * n) / busy).toFixed(1)}% | ${((n / busy) * cpuUsPerRequest).toFixed(1)}`
  const table = (title: string, entries: Entry[], byModule = false) => [
    `\n#### ${title}\n`,
    byModule ? '| % of busy | µs/req | module |\n|---|---|---|' : '| % of busy | µs/req | function | where |\n|---|---|---|---|',
    ...entries.slice(0, top).map(e => byModule ? `| ${cells(e.samples)} | ${e.name} |` : `| ${cells(e.samples)} | ${e.name} | ${e.where} |`)
  ].join('\n')
  return [
    `${summary.total} samples in the window, ${summary.idle} idle; busy ${busy} = 100% = ${cpuUsPerRequest.toFixed(0)} µs of process CPU per request; garbage collector ${cells(summary.gc).replace(' | ', ', ')} µs/req`,
    table('Self time by module', summary.modules, true),
    table('Self time by function', summary.self),
    table('Inclusive time by function', summary.inclusive),
    table(`Inclusive time, functions in ${focus}`, summary.inclusive.filter(e => e.where.startsWith(focus)))
  ].join('\n')
}
