/**
 * Everything the interop project fetches at test time, pinned. Installed from
 * the npm registry into .cache/ by global-setup.ts, once per pin.
 */

/** Both lines of the official conformance suite: the latest release and the newest 0.2.0 prerelease. */
export const CONFORMANCE_VERSIONS = ['0.1.16', '0.2.0-alpha.12'] as const
export type ConformanceVersion = (typeof CONFORMANCE_VERSIONS)[number]

/** The spec revision whose scenarios must pass with no failure and no warning. */
export const SPEC_VERSION = '2025-11-25'

/** The conformance suite, `@ai-sdk/mcp` and the inspector need Node >= 22. */
export const NODE_LINE = '22'

/** Foreign clients, as the npm specs installed into .cache/interop/clients/<key>/. */
export const FOREIGN_CLIENTS = {
  'ai-sdk-mcp': { name: '@ai-sdk/mcp', version: '2.0.99' },
  'mcp-remote': { name: 'mcp-remote', version: '0.15.1' },
  'mcp-client-v2': { name: '@modelcontextprotocol/client', version: '2.4.0' },
  'inspector-cli': { name: '@modelcontextprotocol/inspector-cli', version: '1.0.3' }
} as const
export type ForeignClient = keyof typeof FOREIGN_CLIENTS
