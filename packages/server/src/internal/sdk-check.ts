import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js'
import { SessionManagerError } from '../errors.js'
import { errorSpec } from '../errors.js'

let verified = false

/**
 * Throws `MCPS_SDK_UNPATCHED` unless the installed SDK carries fix
 * 1658-hydrate: a transport built with `session` must continue that session.
 * Without the fix the option is ignored, and a session continued from the
 * store (another node, `maxLocalSessions`) answers without its id, then 500
 * "Stateless transport cannot be reused". Checked once per process.
 */
export function assertSdkPatched(): void {
  if (verified) return
  const sessionId = 'mcps-sdk-check'
  const transport = new WebStandardStreamableHTTPServerTransport({
    session: { sessionId, protocolVersion: '2025-11-25', clientInfo: { name: 'mcps-sdk-check', version: '0' }, clientCapabilities: {} }
  } as ConstructorParameters<typeof WebStandardStreamableHTTPServerTransport>[0])
  if (transport.sessionId !== sessionId) {
    const { message, hint } = errorSpec('MCPS_SDK_UNPATCHED')
    throw new SessionManagerError('MCPS_SDK_UNPATCHED', `Failed to create the session manager: ${message}: ${hint}.`)
  }
  verified = true
}
