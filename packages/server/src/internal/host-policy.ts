/**
 * DNS rebinding protection (spec, Transports, Security Warning: servers MUST
 * validate Origin): which Host names and Origins this endpoint answers to.
 * The default fits a server on the local machine: loopback names and
 * addresses, any port; a deployment names its own hosts.
 */
export type HostPolicy = { hosts: 'any' | HostEntry[]; origins: 'any' | 'same-host' | string[] }

interface HostEntry {
  name: string
  /** Absent: any port. */
  port?: string
}

const LOOPBACK = ['localhost', '127.0.0.1', '[::1]']

export function hostPolicy(allowedHosts: readonly string[] | 'any' | undefined, allowedOrigins: readonly string[] | 'any' | undefined): HostPolicy {
  const hosts = allowedHosts === 'any' ? 'any' : (allowedHosts ?? LOOPBACK).map(parseEntry)
  const origins = allowedOrigins === 'any' ? 'any'
    : allowedOrigins ? allowedOrigins.map(o => new URL(o).origin)
      : hosts === 'any' ? 'any' : 'same-host'
  return { hosts, origins }
}

function parseEntry(entry: string): HostEntry {
  const m = /^(\[[0-9a-fA-F:.]+\]|[^:[\]]+)(?::(\d{1,5}))?$/.exec(entry.trim())
  if (!m) throw new TypeError(`[mcp-sessions] Failed to read allowedHosts: "${entry}" is not a host name, optionally with :port`)
  return { name: m[1]!.toLowerCase(), port: m[2] }
}

/** A syntactically valid Host header value: a name, an IPv4 or a bracketed IPv6 address, an optional port. */
export function isWellFormedHost(value: string): boolean {
  const m = /^(?:\[[0-9a-fA-F:.]+\]|[A-Za-z0-9._~-]+)(?::(\d{1,5}))?$/.exec(value)
  return m !== null && (m[1] === undefined || Number(m[1]) <= 65_535)
}

/** Where a request went: its URL's host, host name and port (`''`: the scheme's default). */
export interface RequestHost {
  host: string
  hostname: string
  port: string
}

/**
 * The host of a request URL (`request.url`, which the web platform and the
 * Node adapter give normalized: lower case, no default port), without a
 * `URL` parse per request; anything unusual (user info) goes through `URL`.
 */
export function hostOf(url: string): RequestHost {
  const start = url.indexOf('//') + 2
  let end = start
  while (end < url.length && url[end] !== '/' && url[end] !== '?' && url[end] !== '#') end++
  const host = url.slice(start, end)
  if (start === 1 || host.includes('@')) {
    const parsed = new URL(url)
    return { host: parsed.host, hostname: parsed.hostname, port: parsed.port }
  }
  const colon = host.lastIndexOf(':')
  const hasPort = colon > host.lastIndexOf(']')
  return { host, hostname: hasPort ? host.slice(0, colon) : host, port: hasPort ? host.slice(colon + 1) : '' }
}

/** `undefined` when the request's host and origin are allowed, else which one is not. */
export function checkHostAndOrigin(policy: HostPolicy, url: RequestHost, origin: string | null): 'host' | 'origin' | undefined {
  if (policy.hosts !== 'any' && !matches(policy.hosts, url.hostname, url.port)) return 'host'
  if (origin === null || policy.origins === 'any') return undefined
  let parsed: URL
  try {
    parsed = new URL(origin)
  } catch {
    return 'origin'
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return 'origin'
  if (policy.origins === 'same-host') return matches(policy.hosts as HostEntry[], parsed.hostname, null) ? undefined : 'origin'
  return policy.origins.includes(parsed.origin) ? undefined : 'origin'
}

/** `port`: the request's (`''` when it names none), or `null` when any port will do. */
function matches(entries: HostEntry[], hostname: string, port: string | null): boolean {
  const name = hostname.toLowerCase()
  return entries.some(e => e.name === name && (e.port === undefined || port === null || e.port === port))
}
