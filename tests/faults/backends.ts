import { Agent, request } from 'node:http'
import { onTestFinished } from 'vitest'
import { listen } from '../helpers/listen.js'
import { startServerProcess } from '../helpers/process.js'

/**
 * A backend for balancer tests: answers `/stats` (the health check), names
 * itself on other URLs, opens an event stream that stays open on `/sse`
 * (one event, then silence), and on `/die` reads the request, then destroys
 * the connection without answering (a node that crashed mid-request).
 */
export async function backend(name: string) {
  const served: string[] = []
  const listening = await listen((req, res) => {
    if (req.url === '/stats') return void res.writeHead(200).end('{}')
    served.push(`${req.method} ${req.url}`)
    if (req.url === '/sse') {
      res.writeHead(200, { 'content-type': 'text/event-stream' })
      res.write('id: 1\ndata: first\n\n')
      return
    }
    if (req.url === '/die') return void req.resume().on('end', () => req.socket.destroy())
    res.writeHead(200, { 'content-type': 'text/plain' }).end(name)
  })
  return { name, port: listening.port, served, server: listening.server }
}

/** One request over `agent`; resolves with the status (0 when the connection broke) and body. */
export function send(url: string, agent: Agent, method = 'GET'): Promise<{ status: number; body: string }> {
  return new Promise(resolve => {
    const req = request(url, { agent, method }, res => {
      let body = ''
      res.on('data', chunk => void (body += chunk))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
      res.on('error', () => resolve({ status: res.statusCode ?? 0, body }))
    })
    req.on('error', () => resolve({ status: 0, body: '' }))
    req.end(method === 'POST' ? '{"jsonrpc":"2.0","id":1,"method":"tools/call"}' : undefined)
  })
}

/** A keep-alive agent holding a single socket, so consecutive requests share one client connection. */
export function keepAliveAgent(): Agent {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 })
  onTestFinished(() => agent.destroy())
  return agent
}

/** Reads an SSE body until it ends, breaks, or `ms` pass; returns the text and whether it ended by itself. */
export async function readFor(response: Response, ms: number): Promise<{ text: string; ended: boolean }> {
  let text = ''
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader()
  let timedOut = false
  const timer = setTimeout(() => {
    timedOut = true
    void reader.cancel().catch(() => {})
  }, ms)
  try {
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) text += chunk.value
  } catch {
    // A cut ends in a read error after the bytes that made it through.
  }
  clearTimeout(timer)
  return { text, ended: !timedOut }
}

/**
 * `count` demo nodes of the cluster fixture (tests/fixtures/cluster-node.ts), named `node-0`, `node-1`, …, with
 * `env` (a `REDIS_URL`, or `STORE: 'memory'`); each with its MCP endpoint's URL.
 *
 * @example
 * const [a, b] = await clusterNodes(2, { REDIS_URL: redis.url })
 */
export async function clusterNodes(count: number, env: Record<string, string>) {
  const nodes = await Promise.all(Array.from({ length: count }, (_, i) => startServerProcess('tests/fixtures/cluster-node.ts', { ...env, NODE_NAME: `node-${i}` })))
  return nodes.map((n, i) => ({ ...n, name: `node-${i}`, url: `http://127.0.0.1:${n.port}/mcp` }))
}
