import { expect } from 'vitest'

/**
 * Resolves with the first value `subscribe` delivers; fails with an assertion
 * error after `ms`, so a missing event reads as the behaviour being absent.
 */
export function nextEvent<T>(what: string, subscribe: (deliver: (value: T) => void) => void, ms = 2_000): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      try {
        expect.fail(`timed out after ${ms} ms waiting for ${what}`)
      } catch (error) {
        reject(error)
      }
    }, ms)
    subscribe(value => {
      clearTimeout(timer)
      resolve(value)
    })
  })
}

/** Lets pending timers and I/O callbacks run: for asserting that something did NOT happen. */
export const settle = (ms: number) => new Promise(resolve => setTimeout(resolve, ms))
