/** Compares two `x.y.z` versions; pre-release tags are not used by the SDK versions we patch. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number)
  const pb = b.split('.').map(Number)
  for (let i = 0; i < 3; i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0)
    if (d !== 0) return Math.sign(d)
  }
  return 0
}

/** True when `version` satisfies every space-separated comparator in `range` (`>=1.25.0 <1.30.0`). */
export function satisfies(version: string, range: string): boolean {
  return range
    .trim()
    .split(/\s+/)
    .every(comparator => {
      const m = /^(>=|<=|>|<|=)?(\d+\.\d+\.\d+)$/.exec(comparator)
      if (!m) throw new Error(`[mcp-sessions] Invalid version range "${range}".`)
      const c = compareVersions(version, m[2]!)
      switch (m[1]) {
        case '>=': return c >= 0
        case '<=': return c <= 0
        case '>': return c > 0
        case '<': return c < 0
        default: return c === 0
      }
    })
}
