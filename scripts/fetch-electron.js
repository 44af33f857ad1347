// Electron's own postinstall downloads its binary and fails the whole install without a network.
// Pulmo runs fully without Electron (`pulmo serve`), so the download is attempted but never fatal.
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'

if (process.env.ELECTRON_SKIP_BINARY_DOWNLOAD) process.exit(0)
let installer
try {
  installer = join(dirname(createRequire(import.meta.url).resolve('electron/package.json')), 'install.js')
} catch {
  process.exit(0) // production install without dev dependencies
}
if (!existsSync(installer)) process.exit(0)
const r = spawnSync(process.execPath, [installer], { stdio: ['ignore', 'ignore', 'pipe'], timeout: 120_000 })
if (r.status !== 0) {
  console.warn('pulmo: the Electron binary could not be downloaded; `npm start` will serve the workstation to a browser instead.')
}
