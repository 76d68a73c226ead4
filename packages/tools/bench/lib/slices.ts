import type { LoadResult } from './wrk.js'

/** One measured slice: a wrk run plus the CPU the server (and redis-server) used during it. */
export interface Slice extends LoadResult {
  cpuMs: number
  redisCpuMs?: number
}

/** A variant's figures over the slices of one phase. */
export interface Summary {
  rps: number
  p50Ms: number
  p99Ms: number
  /** Server CPU per request, over all slices. */
  cpuUs: number
  redisCpuUs?: number
  requests: number
}

/** The median (the lower one of an even count). */
export const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!

/**
 * Medians of the slices' req/s and latency percentiles; CPU per request from the summed CPU and requests.
 *
 * @example
 * const { rps, cpuUs } = summarize(slices)
 */
export function summarize(slices: Slice[]): Summary {
  const requests = slices.reduce((n, s) => n + s.requests, 0)
  const cpu = slices.reduce((n, s) => n + s.cpuMs, 0)
  const redisCpu = slices.some(s => s.redisCpuMs !== undefined) ? slices.reduce((n, s) => n + (s.redisCpuMs ?? 0), 0) : undefined
  return {
    rps: median(slices.map(s => s.rps)),
    p50Ms: median(slices.map(s => s.p50Ms)),
    p99Ms: median(slices.map(s => s.p99Ms)),
    cpuUs: (cpu * 1000) / requests,
    redisCpuUs: redisCpu === undefined ? undefined : (redisCpu * 1000) / requests,
    requests
  }
}
