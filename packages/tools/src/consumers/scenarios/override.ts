import { SDK_PACKAGE } from '../../versions.js'
import type { Pm } from '../package-managers.js'
import type { Scenario } from '../scenario.js'

/** A supported release inside inspector-cli's range (^1.25.2) that is not the newest, so the override visibly decides. */
export const PINNED = '1.31.0'

/** Each package manager's way to pin a transitive package, as the README shows it (pnpm 10+ reads overrides from pnpm-workspace.yaml). */
const overrides: Record<Pm, { fields?: Record<string, unknown>; files?: Record<string, string>; where: string }> = {
  npm: { fields: { overrides: { [SDK_PACKAGE]: PINNED } }, where: 'overrides' },
  pnpm: { files: { 'pnpm-workspace.yaml': `overrides:\n  "${SDK_PACKAGE}": ${PINNED}\n` }, where: 'pnpm-workspace.yaml overrides' },
  yarn: { fields: { resolutions: { [SDK_PACKAGE]: PINNED } }, where: 'resolutions' },
  bun: { fields: { overrides: { [SDK_PACKAGE]: PINNED } }, where: 'overrides' }
}

/**
 * An app that gets the SDK only through a framework, with the transitive copy
 * pinned to one supported release by the package manager's override field.
 *
 * @example
 * export default pinnedThroughOverride('yarn')
 */
export function pinnedThroughOverride(pm: Pm): Scenario {
  return {
    id: `inspector-cli-${pm}-override`,
    row: `inspector-cli 1.0.3, SDK pinned to ${PINNED} by ${overrides[pm].where} (${pm})`,
    pm,
    dependencies: { '@modelcontextprotocol/inspector-cli': '1.0.3' },
    fields: overrides[pm].fields,
    files: overrides[pm].files,
    framework: '@modelcontextprotocol/inspector-cli',
    async extra({ found, step }) {
      const sdk = found.filter(c => c.package === SDK_PACKAGE)
      step(`the override leaves one copy, ${SDK_PACKAGE} ${PINNED}`, sdk.length === 1 && sdk[0]!.version === PINNED, 0, sdk.map(c => `${c.version} at ${c.path}`).join('; '))
    }
  }
}
