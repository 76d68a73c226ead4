/**
 * The fault suite's long form: each fault of the fault issue on a fresh
 * cluster behind a real haproxy, with SDK clients as published and with
 * this repo's patch set side by side, then the table.
 *
 *   npm run faults -- --minutes 3                  # 3 minutes of workload per fault
 *   npm run faults -- --minutes 1 --only cuts,kill9 --clients 10 --timeout-server 3000
 *   npm run faults -- --minutes 1 --only cuts --store memory     # one node, in-memory store
 *
 * Needs redis-server and haproxy (Debian packages) and the SDK cell
 * (installed here when missing). The CI form is tests/faults/.
 */
import { ensureCells } from './matrix.js'
import { faultNotes, faultTable } from './faults/table.js'
import { FAULTS, runScenario, type FaultName, type ScenarioResult } from './faults/scenario.js'

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`)
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback
}

const minutes = Number(arg('minutes', '1'))
const only = arg('only', Object.keys(FAULTS).join(',')).split(',').filter(Boolean) as FaultName[]
const unknown = only.filter(f => !(f in FAULTS))
if (unknown.length || !(minutes > 0)) {
  console.error(`[mcp-sessions] Failed to start the fault run: ${unknown.length ? `unknown fault ${unknown.join(', ')} (known: ${Object.keys(FAULTS).join(', ')})` : '--minutes must be a positive number'}.`)
  process.exit(1)
}
const version = arg('sdk', '1.32.2')
const clients = Number(arg('clients', '10'))
const timeoutServerMs = Number(arg('timeout-server', '3000'))
const noDelay = arg('no-delay', 'yes') !== 'no'
const store = arg('store', 'redis') === 'memory' ? 'memory' : 'redis'

await ensureCells([version])
const results: ScenarioResult[] = []
for (const fault of only) {
  const workMs = minutes * 60_000
  // The fault comes after the warm-up; the workload then runs for the rest of the minutes.
  const result = await runScenario({
    fault, store, sdkVersion: version, clientsPerFlavour: clients, timeoutServerMs, noDelay, afterMs: workMs,
    log: line => console.log(`  ${line}`)
  })
  results.push(result)
  console.log(`\n${faultTable([result])}\n`)
}
console.log(`\n== faults: SDK ${version}, ${store === 'memory' ? 'one node, in-memory store' : 'three nodes on Redis'}, ${clients} clients per flavour, haproxy timeout server ${timeoutServerMs} ms${noDelay ? ', http-no-delay' : ''}, ${minutes} min per fault\n`)
console.log(faultTable(results))
console.log(`\n${faultNotes(results)}`)
