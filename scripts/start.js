// `npm start`: the desktop app where Electron's binary is installed, otherwise the same
// workstation served to a browser by `pulmo serve`.
import { spawn } from 'node:child_process'
import { createRequire } from 'node:module'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
let electronBinary = null
try {
  const candidate = createRequire(import.meta.url)('electron')
  if (typeof candidate === 'string' && existsSync(candidate)) electronBinary = candidate
} catch {
  // electron's package throws when its binary was never downloaded
}

const run = (cmd, args) => {
  const child = spawn(cmd, args, { cwd: root, stdio: 'inherit' })
  child.on('exit', (code) => process.exit(code ?? 0))
  for (const s of ['SIGINT', 'SIGTERM']) process.on(s, () => child.kill(s))
}

if (electronBinary) {
  run(electronBinary, ['.', ...process.argv.slice(2)])
} else {
  console.log('Electron is not installed on this machine; serving the workstation to a browser instead.')
  run(process.execPath, [fileURLToPath(new URL('../bin/pulmo.js', import.meta.url)), 'serve', ...process.argv.slice(2)])
}
