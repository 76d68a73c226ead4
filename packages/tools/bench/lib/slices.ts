import type { LoadResult } from './wrk.js'

/** One measured slice: a wrk run plus the CPU the server (and redis-server) used during it. */
export interface Slice extends LoadResult {
  cpuMs: number
  /** The part of `cpuMs` spent in the kernel. */
  systemMs: number
  redisCpuMs?: number
}

/** A variant's figures over the slices of one phase. */
export interface Summary {
  rps: number
  p50Ms: number
  p99Ms: number
  /** Server CPU per request (median of the slices). */
  cpuUs: number
  /** The kernel's part of it (median of the slices). */
  systemUs: number
  redisCpuUs?: number
  requests: number
}

/** The median (the lower one of an even count). */
export const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!

/**
 * Medians over the slices: req/s, latency percentiles and CPU per request (a slice the
 * machine's other work hit hard moves a median less than a sum).
 *
 * @example
 * const { rps, cpuUs } = summarize(slices)
 */
export function summarize(slices: Slice[]): Summary {
  const perRequest = (ms: number, s: Slice) => (ms * 1000) / s.requests
  return {
    rps: median(slices.map(s => s.rps)),
    p50Ms: median(slices.map(s => s.p50Ms)),
    p99Ms: median(slices.map(s => s.p99Ms)),
    cpuUs: median(slices.map(s => perRequest(s.cpuMs, s))),
    systemUs: median(slices.map(s => perRequest(s.systemMs, s))),
    redisCpuUs: slices[0]?.redisCpuMs === undefined ? undefined : median(slices.map(s => perRequest(s.redisCpuMs!, s))),
    requests: slices.reduce((n, s) => n + s.requests, 0)
  }
}

/**
 * CPU per request of `a` over `b`, slice by slice (slice i of both ran in the same round, minutes
 * apart at most): the median and the range, which shows how much the machine moved the ratio.
 *
 * @example
 * const { median, min, max } = pairedCpuRatio(candidate, manager)
 */
export function pairedCpuRatio(a: Slice[], b: Slice[]): { median: number; min: number; max: number } {
  const ratios = a.map((s, i) => (s.cpuMs / s.requests) / (b[i]!.cpuMs / b[i]!.requests))
  return { median: median(ratios), min: Math.min(...ratios), max: Math.max(...ratios) }
}
