/**
 * An OAuth client provider for the SDK's authorization support that needs no
 * browser: the conformance suite's authorization server approves every
 * request at once and answers the authorization URL with a redirect carrying
 * `code` (and `state`). Instead of opening that URL, the provider fetches it
 * without following the redirect and keeps the code for `transport.finishAuth`.
 * Everything else (discovery, registration, PKCE, scopes, token requests,
 * client authentication) is the SDK's own.
 */
import type { OAuthClientProvider } from '@modelcontextprotocol/sdk/client/auth.js'
import type { OAuthClientInformationMixed, OAuthClientMetadata, OAuthTokens } from '@modelcontextprotocol/sdk/shared/auth.js'
import { randomBytes } from 'node:crypto'

/** Never requested: the code is read from the authorization server's redirect, not received here. */
const REDIRECT_URL = 'http://127.0.0.1:9/callback'

export interface HeadlessOAuthOptions {
  /** A client id metadata document URL (SEP-991), used where the server supports it instead of registering. */
  clientMetadataUrl?: string
  /** Credentials registered beforehand (the suite hands them over in MCP_CONFORMANCE_CONTEXT). */
  preRegistered?: OAuthClientInformationMixed
}

/**
 * @example
 * const provider = new HeadlessOAuthProvider({ clientMetadataUrl: 'https://client.example/metadata.json' })
 * const transport = new StreamableHTTPClientTransport(url, { authProvider: provider })
 * // connect; on UnauthorizedError: await transport.finishAuth(provider.takeCode()) and connect again
 */
export class HeadlessOAuthProvider implements OAuthClientProvider {
  readonly clientMetadataUrl?: string
  private client?: OAuthClientInformationMixed
  private saved?: OAuthTokens
  private verifier?: string
  private pendingState?: string
  private code?: string

  constructor(options: HeadlessOAuthOptions = {}) {
    this.clientMetadataUrl = options.clientMetadataUrl
    this.client = options.preRegistered
  }

  get redirectUrl(): string {
    return REDIRECT_URL
  }

  get clientMetadata(): OAuthClientMetadata {
    return { client_name: 'mcp-sessions-conformance-client', redirect_uris: [REDIRECT_URL], grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'] }
  }

  state(): string {
    this.pendingState = randomBytes(16).toString('base64url')
    return this.pendingState
  }

  clientInformation(): OAuthClientInformationMixed | undefined {
    return this.client
  }

  saveClientInformation(info: OAuthClientInformationMixed): void {
    this.client = info
  }

  tokens(): OAuthTokens | undefined {
    return this.saved
  }

  saveTokens(tokens: OAuthTokens): void {
    this.saved = tokens
  }

  saveCodeVerifier(verifier: string): void {
    this.verifier = verifier
  }

  codeVerifier(): string {
    if (!this.verifier) throw new Error('[mcp-sessions] Failed to exchange the authorization code: no PKCE verifier was saved. Start the authorization again.')
    return this.verifier
  }

  invalidateCredentials(scope: 'all' | 'client' | 'tokens' | 'verifier' | 'discovery'): void {
    if (scope === 'all' || scope === 'tokens') this.saved = undefined
    if (scope === 'all' || scope === 'verifier') this.verifier = undefined
    if (scope === 'all' || scope === 'client') this.client = undefined
  }

  /** "Opens" the authorization URL: one GET, the redirect read, not followed. */
  async redirectToAuthorization(url: URL): Promise<void> {
    const response = await fetch(url, { redirect: 'manual' })
    await response.body?.cancel()
    const location = response.headers.get('location')
    if (!location) throw new Error(`[mcp-sessions] Failed to authorize headlessly: ${url.origin}${url.pathname} answered ${response.status} without a redirect. The authorization server must approve at once.`)
    const back = new URL(location, url)
    const error = back.searchParams.get('error')
    if (error) throw new Error(`[mcp-sessions] Failed to authorize: the authorization server redirected back with error=${error} ${back.searchParams.get('error_description') ?? ''}`.trimEnd())
    if (back.searchParams.get('state') !== (this.pendingState ?? null)) throw new Error('[mcp-sessions] Failed to authorize: the redirect carries another state than the request. Start the authorization again.')
    this.code = back.searchParams.get('code') ?? undefined
    if (!this.code) throw new Error('[mcp-sessions] Failed to authorize: the redirect back carries no code.')
  }

  /** The code of the last authorization, once; undefined when none is waiting. */
  takeCode(): string | undefined {
    const code = this.code
    this.code = undefined
    return code
  }
}
