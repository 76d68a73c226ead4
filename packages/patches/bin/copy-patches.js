// prepack: the repository keeps one canonical copy of the patches at its root;
// the published package carries a copy of it in ./patches.
import { cpSync, rmSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const pkg = join(dirname(fileURLToPath(import.meta.url)), '..')
rmSync(join(pkg, 'patches'), { recursive: true, force: true })
cpSync(join(pkg, '..', '..', 'patches'), join(pkg, 'patches'), { recursive: true })
