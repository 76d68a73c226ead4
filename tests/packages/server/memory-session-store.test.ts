import { MemorySessionStore } from '@mcp-sessions/server'
import { storeContract } from './store-contract.js'

storeContract('MemorySessionStore', async () => {
  let now = 1_000
  const store = new MemorySessionStore({ now: () => now })
  return {
    store,
    advance: async ms => {
      now += ms
    }
  }
})
