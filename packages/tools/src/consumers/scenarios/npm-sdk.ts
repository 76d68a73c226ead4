import { sdkOnly } from './sdk-only.js'

/** The patch set through npm's install and postinstall, on the SDK alone. */
export default sdkOnly('npm', '1.24.3')
