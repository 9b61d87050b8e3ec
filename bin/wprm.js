#!/usr/bin/env node
// The CLI is compiled by `npm install` (the `prepare` script); this stub only finds it.
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const compiled = new URL('../out/cli/src-main/cli.js', import.meta.url)
if (!existsSync(fileURLToPath(compiled))) {
  process.stderr.write('wprm: the CLI is not built yet. Run `npm install` (or `npm run build:cli`) in the project folder.\n')
  process.exit(1)
}
const { main } = await import(compiled.href)
process.exitCode = await main(process.argv.slice(2))
