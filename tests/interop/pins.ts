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

/**
 * The v1 SDK client, loaded from this version's matrix cells (packages/tools/src/matrix.ts, installed by
 * global-setup.ts like `npm run matrix -- install 1.32.2`): as published, and patched with `recoverSession: true`.
 */
export const SDK_V1_VERSION = '1.32.2'
export const SDK_V1_CLIENTS = {
  'sdk-v1': { name: '@modelcontextprotocol/sdk', version: SDK_V1_VERSION, flavor: 'plain', variant: 'as published' },
  'sdk-v1-patched': { name: '@modelcontextprotocol/sdk', version: SDK_V1_VERSION, flavor: 'patched', variant: 'with `@mcp-sessions/patches`, `recoverSession: true`' }
} as const
export type SdkV1Client = keyof typeof SDK_V1_CLIENTS

/** Every client the session story runs (helpers/session-scenario.ts). */
export const SESSION_CLIENTS: Record<ForeignClient | SdkV1Client, { name: string; version: string; variant?: string }> = { ...FOREIGN_CLIENTS, ...SDK_V1_CLIENTS }
export type SessionClient = keyof typeof SESSION_CLIENTS
