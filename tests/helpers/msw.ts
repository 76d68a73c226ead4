import { setupServer } from 'msw/node'
import { afterAll, afterEach, beforeAll } from 'vitest'

/**
 * An msw server for a test file, set up the way the SDK client needs it:
 * unhandled requests are errors, handlers are reset after each test, and
 * every mocked response's clone is cancelled.
 *
 * @note msw clones each mocked response for its listeners and never reads the
 * clone; the SDK awaits `response.body.cancel()`, which then never settles
 * (seen with msw 2 on Node 20). Cancelling the clone releases it.
 */
export function useMsw() {
  const server = setupServer()
  server.events.on('response:mocked', ({ response }) => {
    void response.body?.cancel().catch(() => {})
  })
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }))
  afterEach(() => server.resetHandlers())
  afterAll(() => server.close())
  return server
}
