/**
 * A real nginx (the Debian package) in front of cluster nodes, configured as
 * the deployment docs say: `proxy_buffering off` (SSE events pass at once),
 * HTTP/1.1 upstream keep-alive (`keepalive` + an empty `Connection` header),
 * the client's Host passed on (the manager checks it against `allowedHosts`),
 * round-robin with no stickiness, and `proxy_read_timeout` as the idle cut.
 * A request the node never received (connection refused) goes to the next
 * node; a request it did receive is never sent again (nginx does not retry a
 * POST unless `non_idempotent` is set, and we do not set it).
 *
 * One process (`master_process off`, `daemon off`), so its PID is the proxy;
 * everything it writes lives in a temp dir.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { HaproxyBackend } from './haproxy.js'
import { freePort } from './processes.js'

export interface NginxOptions {
  /** `proxy_read_timeout`: an upstream response idle this long is cut. Default 60_000. */
  readTimeoutMs?: number
  /** `proxy_buffering`. Default false, as documented: with it on, SSE events wait in nginx's buffers. */
  buffering?: boolean
  timeoutMs?: number
}

/**
 * The generated configuration: one foreground process writing only to `dir`
 * (the harness), and inside `http` the {@link nginxProxyBlock}.
 *
 * @example
 * writeFileSync('nginx.conf', nginxConfig('/tmp/nginx', 8080, [{ name: 'node-0', port: 4001 }]))
 */
export function nginxConfig(dir: string, port: number, backends: HaproxyBackend[], options: NginxOptions = {}): string {
  const temp = (name: string) => `${name}_temp_path ${join(dir, name)};`
  return [
    'worker_processes 1;',
    'daemon off;',
    'master_process off;',
    `pid ${join(dir, 'nginx.pid')};`,
    `error_log ${join(dir, 'error.log')} warn;`,
    'events { worker_connections 1024; }',
    'http {',
    '  access_log off;',
    ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map(name => `  ${temp(name)}`),
    ...nginxProxyBlock(port, backends, options).map(line => `  ${line}`),
    '}',
    ''
  ].join('\n')
}

/**
 * The `upstream` and `server` blocks, one line each: what the README's
 * deployment section shows (tests/faults/deployment-docs.test.ts checks it is
 * this text).
 *
 * @example
 * console.log(nginxProxyBlock(8080, [{ name: 'node-0', port: 3001 }]).join('\n'))
 */
export function nginxProxyBlock(port: number, backends: HaproxyBackend[], options: NginxOptions = {}): string[] {
  const readTimeout = options.readTimeoutMs ?? 60_000
  return [
    'upstream nodes {',
    ...backends.map(b => `  server 127.0.0.1:${b.port};`),
    '  keepalive 32;',
    '}',
    'server {',
    `  listen 127.0.0.1:${port};`,
    '  location / {',
    '    proxy_pass http://nodes;',
    '    proxy_http_version 1.1;',
    '    proxy_set_header Connection "";',
    // nginx sends the upstream's name ("nodes") as Host by default: the manager's DNS rebinding check refuses it.
    '    proxy_set_header Host $host;',
    `    proxy_buffering ${options.buffering ? 'on' : 'off'};`,
    '    proxy_cache off;',
    `    proxy_read_timeout ${readTimeout % 1_000 === 0 ? `${readTimeout / 1_000}s` : `${readTimeout}ms`};`,
    '    proxy_next_upstream error timeout;',
    '  }',
    '}'
  ]
}

/**
 * Starts nginx on a free loopback port in front of `backends`.
 *
 * @example
 * const proxy = await startNginx([{ name: 'node-0', port: 4001 }])
 * await fetch(proxy.url)
 * await proxy.stop()
 */
export async function startNginx(backends: HaproxyBackend[], options: NginxOptions = {}): Promise<{ port: number; url: string; pid: number; child: ChildProcess; stop(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'mcps-nginx-'))
  for (const name of ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) mkdirSync(join(dir, name))
  const bin = process.env.NGINX ?? (existsSync('/usr/sbin/nginx') ? '/usr/sbin/nginx' : 'nginx')
  const port = await freePort()
  const file = join(dir, 'nginx.conf')
  writeFileSync(file, nginxConfig(dir, port, backends, options))
  // -e: nginx 1.19.5+ would otherwise open /var/log/nginx/error.log before reading the config.
  const args = ['-p', dir, '-e', join(dir, 'error.log'), '-c', file]
  const checked = spawnSync(bin, ['-t', '-q', ...args], { encoding: 'utf8' })
  if (checked.error || checked.status !== 0) {
    rmSync(dir, { recursive: true, force: true })
    const why = checked.error ? `${checked.error.message}. Install it (Debian/Ubuntu: apt-get install nginx)` : `the generated config is invalid: ${checked.stderr.trim()}`
    throw Object.assign(new Error(`[mcp-sessions] Failed to start nginx: ${why}.`), { code: checked.error ? 'MCPS_NGINX_MISSING' : 'MCPS_NGINX_CONFIG' })
  }
  const child = spawn(bin, args, { stdio: ['ignore', 'ignore', 'pipe'] })
  const exited = once(child, 'exit')
  let stderr = ''
  child.stderr!.on('data', (chunk: Buffer) => void (stderr = (stderr + chunk.toString()).slice(-2_000)))
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const timer = setTimeout(() => child.kill('SIGKILL'), 2_000)
      child.kill('SIGTERM')
      await exited
      clearTimeout(timer)
    }
    rmSync(dir, { recursive: true, force: true })
  }
  const deadline = Date.now() + (options.timeoutMs ?? 10_000)
  for (let attempt = 1; !(await accepts(port)); attempt++) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop()
      throw new Error(`[mcp-sessions] Failed to start nginx on 127.0.0.1:${port}: ${stderr.trim() || 'it did not listen in time'}`)
    }
    await new Promise(resolve => setTimeout(resolve, Math.min(20 * attempt, 200)))
  }
  return { port, url: `http://127.0.0.1:${port}/mcp`, pid: child.pid!, child, stop }
}

function accepts(port: number): Promise<boolean> {
  return new Promise(resolve => {
    const socket = connect(port, '127.0.0.1')
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('error', () => resolve(false))
  })
}
