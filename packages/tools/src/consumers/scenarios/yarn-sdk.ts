import { sdkOnly } from './sdk-only.js'

/** The patch set through yarn's install and postinstall, on the SDK alone. */
export default sdkOnly('yarn', '1.32.2')
