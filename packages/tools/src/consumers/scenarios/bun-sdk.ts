import { sdkOnly } from './sdk-only.js'

/** The patch set through bun's install and postinstall, on the SDK alone. */
export default sdkOnly('bun', '1.27.1')
