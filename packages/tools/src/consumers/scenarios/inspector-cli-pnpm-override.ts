import { pinnedThroughOverride } from './override.js'

export default pinnedThroughOverride('pnpm')
