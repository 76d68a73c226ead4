// prepack: the repository keeps one canonical copy of the patches at its root;
// the published package carries a copy of it in ./patches (its README is its own, packages/patches/README.md).
// postpack (--clean): removes the copy again, so a clone that ran `npm pack`
// keeps reading the canonical patches/ (the CLI prefers ./patches when present).
import { cpSync, rmSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const pkg = join(dirname(fileURLToPath(import.meta.url)), '..')
rmSync(join(pkg, 'patches'), { recursive: true, force: true })
if (!process.argv.includes('--clean')) cpSync(join(pkg, '..', '..', 'patches'), join(pkg, 'patches'), { recursive: true })
