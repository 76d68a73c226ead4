import { Agent, request } from 'node:http'
import { expect, it, onTestFinished } from 'vitest'
import { startFront } from '../../helpers/front.js'
import { listen } from '../../helpers/listen.js'

function get(url: string, agent: Agent): Promise<string> {
  return new Promise((resolve, reject) => {
    request(url, { agent }, res => {
      let text = ''
      res.on('data', chunk => (text += chunk))
      res.on('end', () => resolve(text))
    }).on('error', reject).end()
  })
}

it('sends every request to the next node, also on one reused keep-alive connection', async () => {
  const nodes = await Promise.all([0, 1, 2].map(i => listen((_req, res) => res.end(String(i)))))
  const front = await startFront(nodes.map(n => n.port))
  let connections = 0
  front.server.on('connection', () => connections++)
  const agent = new Agent({ keepAlive: true, maxSockets: 1 })
  onTestFinished(() => agent.destroy())
  const answers: string[] = []
  for (let i = 0; i < 6; i++) answers.push(await get(front.url, agent))
  expect(answers).toEqual(['0', '1', '2', '0', '1', '2'])
  expect(connections).toBe(1)
})

it('skips a node that refuses the connection', async () => {
  const nodes = await Promise.all([0, 1].map(i => listen((_req, res) => res.end(String(i)))))
  const dead = await listen(() => {})
  const deadPort = dead.port
  dead.server.close()
  const front = await startFront([nodes[0]!.port, deadPort, nodes[1]!.port])
  const agent = new Agent({ keepAlive: false })
  const answers: string[] = []
  for (let i = 0; i < 4; i++) answers.push(await get(front.url, agent))
  expect(answers.every(a => a === '0' || a === '1')).toBe(true)
  expect(front.log.some(e => e.node === 1)).toBe(false)
})
