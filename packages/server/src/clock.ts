/**
 * Time as the session manager sees it. Inject one in tests to move the idle
 * clock without sleeping; the default is the process clock.
 *
 * @example
 * const manager = createSessionManager({ createServer, clock: { now: () => fakeNow, setTimeout: fakeSet, clearTimeout: fakeClear } })
 */
export interface Clock {
  now(): number
  setTimeout(callback: () => void, ms: number): unknown
  clearTimeout(handle: unknown): void
}

/**
 * The process clock; timers are unref'd so an idle manager never keeps the
 * process alive.
 *
 * @example
 * systemClock.now() // Date.now()
 */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => {
    const timer = setTimeout(callback, ms)
    timer.unref?.()
    return timer
  },
  clearTimeout: handle => clearTimeout(handle as ReturnType<typeof setTimeout>)
}
