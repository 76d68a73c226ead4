import type { Scenario } from '../scenario.js'
import bunSdk from './bun-sdk.js'
import clientV2 from './client-v2.js'
import fastmcpNpm from './fastmcp-npm.js'
import fastmcpNpmPin from './fastmcp-npm-pin.js'
import fastmcpPnpm from './fastmcp-pnpm.js'
import fastmcpPnpmZod3 from './fastmcp-pnpm-zod3.js'
import inspectorCliBunOverride from './inspector-cli-bun-override.js'
import inspectorCliNpmOverride from './inspector-cli-npm-override.js'
import inspectorCliNpmPin from './inspector-cli-npm-pin.js'
import inspectorCliPnpmOverride from './inspector-cli-pnpm-override.js'
import inspectorCliYarnOverride from './inspector-cli-yarn-override.js'
import mcpProxyBundled from './mcp-proxy-bundled.js'
import mcpProxyBundledPin from './mcp-proxy-bundled-pin.js'
import mcpProxyV2 from './mcp-proxy-v2.js'
import nodeV2 from './node-v2.js'
import npmSdk from './npm-sdk.js'
import pnpmSdk from './pnpm-sdk.js'
import yarnSdk from './yarn-sdk.js'

/**
 * Every consumer app, one file each. An app is a row: what it installs, and
 * what the user must see. Adding an app is adding a file here.
 *
 * @example
 * scenarios.filter(s => s.pm === 'pnpm').map(s => s.id) // ['pnpm-sdk-1.27.1', 'fastmcp-pnpm-zod3', …]
 */
export const scenarios: Scenario[] = [
  npmSdk,
  pnpmSdk,
  yarnSdk,
  bunSdk,
  fastmcpNpmPin,
  fastmcpNpm,
  fastmcpPnpmZod3,
  fastmcpPnpm,
  inspectorCliNpmPin,
  mcpProxyBundledPin,
  mcpProxyBundled,
  mcpProxyV2,
  clientV2,
  nodeV2,
  inspectorCliNpmOverride,
  inspectorCliPnpmOverride,
  inspectorCliYarnOverride,
  inspectorCliBunOverride
]
