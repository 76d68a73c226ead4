/**
 * How a cache folder built beside its destination lands (packages/tools/src/move-into-place.ts), including the
 * interleaving where another worker's folder lands between our check and our rename: the earlier code removed the
 * destination at that point, under a worker that was reading it.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it, onTestFinished } from 'vitest'
import { moveIntoPlace } from '@mcp-sessions/tools/move-into-place.js'

/** A scratch folder with a `build()` that makes a folder holding `stamp` and optionally a `done` marker. */
function scratch() {
  const root = mkdtempSync(join(tmpdir(), 'mcps-move-'))
  onTestFinished(() => rmSync(root, { recursive: true, force: true }))
  const build = (name: string, stamp: string, done = true) => {
    const dir = join(root, name)
    mkdirSync(dir)
    writeFileSync(join(dir, 'stamp'), stamp)
    if (done) writeFileSync(join(dir, 'done'), '')
    return dir
  }
  return { root, build, dir: join(root, 'cache') }
}

const completeWith = (stamp: string) => (d: string) => existsSync(join(d, 'done')) && readFileSync(join(d, 'stamp'), 'utf8') === stamp
const stampOf = (d: string) => readFileSync(join(d, 'stamp'), 'utf8')

describe('moveIntoPlace', () => {
  it('moves the folder in when the destination is missing', () => {
    const s = scratch()
    const tmp = s.build('tmp', 'ours')
    expect(moveIntoPlace(tmp, s.dir, completeWith('ours'))).toBe(true)
    expect(stampOf(s.dir)).toBe('ours')
    expect(existsSync(tmp)).toBe(false)
  })

  it('keeps a complete destination and leaves our folder to the caller', () => {
    const s = scratch()
    s.build('cache', 'ours')
    const tmp = s.build('tmp', 'ours')
    writeFileSync(join(s.dir, 'marker'), 'first worker')
    expect(moveIntoPlace(tmp, s.dir, completeWith('ours'))).toBe(false)
    expect(readFileSync(join(s.dir, 'marker'), 'utf8')).toBe('first worker')
    expect(existsSync(tmp)).toBe(true)
  })

  it('replaces a half-written folder and a folder of another pin, leaving nothing aside', () => {
    for (const [stamp, done] of [['ours', false], ['older pin', true]] as const) {
      const s = scratch()
      s.build('cache', stamp, done)
      const tmp = s.build('tmp', 'ours')
      expect(moveIntoPlace(tmp, s.dir, completeWith('ours'))).toBe(true)
      expect(completeWith('ours')(s.dir)).toBe(true)
      expect(readdirSync(s.root)).toEqual(['cache'])
    }
  })

  /**
   * Another worker's complete folder is in place, but our first `stale` checks of the destination ran before it
   * landed (they say "not yet"). Returns what moveIntoPlace did and whether the other worker's folder survived.
   */
  function landedLate(stale: number) {
    const s = scratch()
    s.build('cache', 'ours')
    writeFileSync(join(s.dir, 'marker'), 'other worker')
    const tmp = s.build('tmp', 'ours')
    let checks = 0
    const complete = (d: string) => (d === s.dir && checks++ < stale ? false : completeWith('ours')(d))
    const moved = moveIntoPlace(tmp, s.dir, complete)
    return { moved, kept: readFileSync(join(s.dir, 'marker'), 'utf8') === 'other worker', left: readdirSync(s.root).sort() }
  }

  it('keeps a folder another worker landed after our first check', () => {
    expect(landedLate(1)).toEqual({ moved: false, kept: true, left: ['cache', 'tmp'] })
  })

  it('puts back a complete folder it moved aside when that folder landed after its second check', () => {
    expect(landedLate(2)).toEqual({ moved: false, kept: true, left: ['cache', 'tmp'] })
  })

  it('stops after five rounds when the destination never settles, naming the folder', () => {
    const s = scratch()
    s.build('cache', 'ours')
    const tmp = s.build('tmp', 'ours')
    // A destination that always reads incomplete and is always back: each round moves one aside and meets another.
    const complete = (d: string) => {
      if (d === s.dir && !existsSync(s.dir)) s.build('cache', 'other')
      return false
    }
    expect(() => moveIntoPlace(tmp, s.dir, complete)).toThrow(`Could not move ${tmp} into ${s.dir}`)
  })
})
