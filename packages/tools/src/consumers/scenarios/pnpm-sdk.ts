import { sdkOnly } from './sdk-only.js'

/** The patch set through pnpm's install and postinstall, on the SDK alone. */
export default sdkOnly('pnpm', '1.27.1')
