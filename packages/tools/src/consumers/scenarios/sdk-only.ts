import { join } from 'node:path'
import { writeApp } from '../app.js'
import { exec, pmEnv } from '../exec.js'
import type { Pm } from '../package-managers.js'
import type { Scenario, ScenarioContext } from '../scenario.js'
import { patchedCopiesInStore } from '../store.js'
import { SDK_PACKAGE } from '../../versions.js'

/** An SDK version the patch set does not support: its install must fail, naming the supported ones. */
export const UNSUPPORTED_SDK = '1.23.0'

/** Reinstalls, reruns postinstall, tries an unsupported SDK, and (pnpm, bun) checks the shared store. */
async function lifecycle(ctx: ScenarioContext): Promise<void> {
  const { dir, pm, step } = ctx
  const cli = (command: string) => exec(process.execPath, [join(dir, 'node_modules', '@mcp-sessions', 'patches', 'bin', 'mcp-sessions-patch.js'), command], dir, pmEnv())

  const again = await pm.install(dir)
  const after = again.code === 0 ? await cli('status') : again
  step('second install keeps the fixes', again.code === 0 && after.code === 0, again.ms, again.code === 0 && after.code === 0 ? undefined : `${again.output}\n${after.output}`.slice(-2000))
  const reapply = await pm.run(dir, 'postinstall')
  step('postinstall again changes nothing', reapply.code === 0 && /already patched/.test(reapply.output), reapply.ms, reapply.output.slice(-1000))

  // A postinstall that fails must fail the install; yarn keeps the message in its build log and reports YN0009.
  const bad = ctx.sibling(`sdk-${UNSUPPORTED_SDK}`)
  await writeApp(bad, { name: `consumer-${pm.name}-unsupported`, pm: pm.name, dependencies: { [SDK_PACKAGE]: UNSUPPORTED_SDK } }, ctx.tarball)
  const refused = await pm.install(bad)
  step(`SDK ${UNSUPPORTED_SDK} (unsupported) fails the install`, refused.code !== 0 && (pm.name === 'yarn' ? /YN0009/ : /is not supported/).test(refused.output), refused.ms, refused.output.slice(-1000))

  if (pm.store) {
    const started = Date.now()
    const hits = patchedCopiesInStore(ctx.found.map(c => ({ dir: join(dir, c.path), version: c.version })), pm.store)
    step('store left as published', hits.length === 0, Date.now() - started, hits.length ? `patched files in the store: ${hits.slice(0, 5).join(', ')}` : undefined)
  }
}

/**
 * The plain case: an app that depends on one pinned SDK version, nothing else.
 *
 * @example
 * export default sdkOnly('pnpm', '1.27.1')
 */
export function sdkOnly(pm: Pm, sdk: string): Scenario {
  return {
    id: `${pm}-sdk-${sdk}`,
    row: `app on ${SDK_PACKAGE} ${sdk} (${pm})`,
    pm,
    dependencies: { [SDK_PACKAGE]: sdk },
    readmeSetup: true,
    extra: lifecycle
  }
}
