import { join } from 'node:path'
import { matrixRoot } from '../../src/paths.js'

/** The SDK release every variant runs: the map pattern unpatched, the manager patched. */
export const SDK_VERSION = '1.32.2'

/** The unpatched SDK's ESM build, installed by `npm run matrix -- install 1.32.2`. */
export const plainSdk = join(matrixRoot, SDK_VERSION, 'plain', 'node_modules', '@modelcontextprotocol', 'sdk', 'dist', 'esm')
