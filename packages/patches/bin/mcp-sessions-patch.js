#!/usr/bin/env node
// The CLI lives in dist/ (built from src/cli.ts); this file only starts it.
import { main } from '../dist/cli.js'

process.exitCode = await main(process.argv.slice(2))
