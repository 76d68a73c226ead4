import { randomBytes } from 'node:crypto'

/** 128 bits from the CSPRNG, base64url: 22 visible ASCII characters. */
export const newSessionId = (): string => randomBytes(16).toString('base64url')

/** Upper bound on an id we even look at; ours are 22 characters. */
export const MAX_SESSION_ID_LENGTH = 256

/**
 * The spec allows only visible ASCII (0x21-0x7E) in a session id
 * (§Session Management); anything else cannot be an id we issued.
 */
export function isWellFormedSessionId(id: string): boolean {
  if (id.length === 0 || id.length > MAX_SESSION_ID_LENGTH) return false
  for (let i = 0; i < id.length; i++) {
    const c = id.charCodeAt(i)
    if (c < 0x21 || c > 0x7e) return false
  }
  return true
}
