#!/usr/bin/env node
// The `pulmo` command: runs the built CLI (npm ci builds it in the prepare step).
import { existsSync } from 'node:fs'
import { fileURLToPath, pathToFileURL } from 'node:url'

const cli = fileURLToPath(new URL('../out/main/cli.js', import.meta.url))
if (!existsSync(cli)) {
  process.stderr.write('pulmo: the application is not built; run `npm run build` in the Pulmo folder.\n')
  process.exit(1)
}
const { main } = await import(pathToFileURL(cli).href)
const code = await main(process.argv.slice(2))
if (code !== 0 || !process.argv.includes('serve')) process.exitCode = code
