// Builds Pulmo's native oneDNN kernels (native/dnnl) where g++ and Debian's libdnnl-dev are present,
// and prints one line saying which engine the CPU path will use. Never fails the install: without
// the compiler or the library, Pulmo runs on TensorFlow.js's wasm kernels as before.
//
//   node scripts/build-native.js [--force]
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, renameSync, statSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const sourceDir = join(root, 'native', 'dnnl')
const source = join(sourceDir, 'pulmo_dnnl.cc')
const outDir = join(root, 'native', 'build')
const target = join(outDir, 'pulmo_dnnl.node')
const DNNL_HEADER = '/usr/include/oneapi/dnnl/dnnl.hpp'

function say(line) {
  console.log(`pulmo: engine ${line}`)
}

function headers() {
  try {
    return join(dirname(createRequire(import.meta.url).resolve('node-api-headers/package.json')), 'include')
  } catch {
    return undefined
  }
}

function main() {
  if (process.env.PULMO_NATIVE === '0') return say('wasm (native kernels disabled by PULMO_NATIVE=0)')
  const force = process.argv.includes('--force')
  if (!force && existsSync(target) && readdirSync(sourceDir).every((f) => statSync(target).mtimeMs >= statSync(join(sourceDir, f)).mtimeMs)) {
    return say(`wasm + oneDNN native kernels (${target}, up to date)`)
  }
  const include = headers()
  const gxx = spawnSync('g++', ['--version'], { encoding: 'utf8' })
  const dnnl = existsSync(DNNL_HEADER)
  if (gxx.status !== 0 || !dnnl || include === undefined) {
    const missing = [gxx.status !== 0 ? 'g++' : '', dnnl ? '' : 'libdnnl-dev (apt-get install libdnnl-dev)', include ? '' : 'node-api-headers']
      .filter(Boolean)
      .join(', ')
    return say(`wasm (native oneDNN kernels not built: missing ${missing})`)
  }
  mkdirSync(outDir, { recursive: true })
  const partial = `${target}.${process.pid}.tmp`
  const started = Date.now()
  const build = spawnSync(
    'g++',
    // -ffp-contract=off: no fused multiply-adds, so the image kernels round as their TypeScript originals
    ['-std=c++17', '-O3', '-ffp-contract=off', '-fPIC', '-shared', '-fopenmp', '-fvisibility=hidden', `-I${include}`, '-DNODE_GYP_MODULE_NAME=pulmo_dnnl', '-DBUILDING_NODE_EXTENSION', source, '-o', partial, '-ldnnl'],
    { encoding: 'utf8' }
  )
  if (build.status !== 0) {
    console.warn(build.stderr.split('\n').slice(0, 20).join('\n'))
    return say('wasm (native oneDNN kernels failed to compile; see above)')
  }
  renameSync(partial, target)
  say(`wasm + oneDNN native kernels (built in ${((Date.now() - started) / 1000).toFixed(1)} s: ${target})`)
}

try {
  main()
} catch (error) {
  say(`wasm (native build skipped: ${error instanceof Error ? error.message : String(error)})`)
}
