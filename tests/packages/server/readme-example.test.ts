/**
 * The README's quick start, run as a new user would: the code block from
 * packages/server/README.md in its own process, an SDK client against it.
 */
import { randomUUID } from 'node:crypto'
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { describe, expect, it, onTestFinished } from 'vitest'
import { startServerProcess } from '../../helpers/process.js'
import { connectClient, echo } from './fixture.js'

const root = join(import.meta.dirname, '..', '..', '..')

describe('README quick start', () => {
  it('serves a tool to the SDK client, ends the session on DELETE, then answers 404', async () => {
    const readme = readFileSync(join(root, 'packages', 'server', 'README.md'), 'utf8')
    const code = /```ts\n([\s\S]*?)```/.exec(readme)?.[1]
    expect(code).toContain("from '@mcp-sessions/server'")
    // @note The package is imported from source, so the test does not depend on a fresh build in dist/.
    const source = code!.replace("'@mcp-sessions/server'", `'${pathToFileURL(join(root, 'packages', 'server', 'src', 'index.ts')).href}'`)
    const dir = join(root, '.cache', 'readme-example')
    mkdirSync(dir, { recursive: true })
    const file = join(dir, `server-${randomUUID()}.ts`)
    writeFileSync(file, source)
    onTestFinished(() => rmSync(file, { force: true }))

    const server = await startServerProcess(join('.cache', 'readme-example', file.split(/[\\/]/).pop()!), { PORT: '0' })
    const url = `http://127.0.0.1:${server.port}/mcp`
    const { client, transport } = await connectClient(url)
    const result = await client.callTool({ name: 'add', arguments: { a: 2, b: 3 } })
    expect(result.content).toEqual([{ type: 'text', text: '5' }])

    const id = transport.sessionId!
    await transport.terminateSession()
    const after = await echo(url, id)
    expect(after.status).toBe(404)
    expect(after.json.error.code).toBe(-32001)
  })
})
