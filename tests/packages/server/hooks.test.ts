/**
 * Hooks that throw are reported and never break request handling; close
 * paths run every step.
 */
import { describe, expect, it, vi } from 'vitest'
import { MemorySessionStore } from '@mcp-sessions/server'
import { connectClient, echo, initialize, startManager } from './fixture.js'

const boom = () => {
  throw new Error('hook exploded')
}

describe('hooks', () => {
  it('reports throwing and rejecting hooks and keeps serving', async () => {
    const store = new MemorySessionStore()
    const { url, log, until } = await startManager({
      store,
      onSessionCreated: boom,
      onSessionClosed: async () => Promise.reject(new Error('async hook exploded')),
      onStreamDetached: boom
    })
    const { client, transport } = await connectClient(url)
    const id = transport.sessionId!
    const result = await client.callTool({ name: 'echo', arguments: { text: 'ok' } })
    expect(result.content).toEqual([{ type: 'text', text: 'ok' }])

    await transport.terminateSession()
    await until('the close and its reported failure', () => log.errors.length >= 2)
    expect(log.errors.map(e => e.code)).toEqual(['MCPS_HOOK_FAILED', 'MCPS_HOOK_FAILED'])
    expect(log.errors[0]!.message).toMatch(/^\[mcp-sessions\] Failed to run hook onSessionCreated/)
    expect(log.errors[1]!.message).toContain('async hook exploded')
    // The close path completed despite the hook: record gone, id answers 404.
    expect(await store.get(id)).toBeUndefined()
    expect((await echo(url, id)).status).toBe(404)
  })

  it('warns on the console with the [mcp-sessions] prefix when there is no onError', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    try {
      const { createSessionManager } = await import('@mcp-sessions/server')
      const { demoServer, initializeMessage, ACCEPT } = await import('./fixture.js')
      const manager = createSessionManager({ createServer: () => demoServer(), onSessionCreated: boom })
      const res = await manager.handleRequest(new Request('http://127.0.0.1/mcp', {
        method: 'POST',
        headers: { accept: ACCEPT, 'content-type': 'application/json' },
        body: JSON.stringify(initializeMessage())
      }))
      expect(res.status).toBe(200)
      await res.body?.cancel()
      expect(warn).toHaveBeenCalledWith(expect.stringMatching(/^\[mcp-sessions\] Failed to run hook onSessionCreated/))
      await manager.shutdown()
    } finally {
      warn.mockRestore()
    }
  })

  it('runs every close step when the store fails, and still fires onSessionClosed', async () => {
    const store = new MemorySessionStore()
    const { url, log, until, manager } = await startManager({ store })
    const id = await initialize(url)
    store.delete = async () => {
      throw new Error('store down')
    }
    expect(await manager.close(id)).toBe(true)
    await until('the closed hook', () => log.closed.length === 1)
    expect(log.closed).toEqual([{ id, reason: 'closed' }])
    expect(log.errors.map(e => e.code)).toEqual(['MCPS_STORE_FAILED'])
    expect((await echo(url, id)).status).toBe(404)
  })

  it('answers 500 with a clear body when createServer throws, and keeps other sessions', async () => {
    let fail = false
    const { demoServer } = await import('./fixture.js')
    const { url, log } = await startManager({
      createServer: () => {
        if (fail) throw new Error('no capacity')
        return demoServer()
      }
    })
    const id = await initialize(url)
    fail = true
    const { send, initializeMessage } = await import('./fixture.js')
    const res = await send(url, { body: initializeMessage() })
    expect(res.status).toBe(500)
    expect(res.json.error.data.code).toBe('MCPS_CREATE_SERVER_FAILED')
    expect(log.errors.map(e => e.code)).toEqual(['MCPS_CREATE_SERVER_FAILED'])
    expect((await echo(url, id)).status).toBe(200)
  })
})
