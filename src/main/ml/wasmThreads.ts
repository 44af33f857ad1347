import { createHash } from 'node:crypto'
import { existsSync, renameSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import { join } from 'node:path'
import * as tf from '@tensorflow/tfjs'
import { BackendWasm, setThreadsCount, version_wasm } from '@tensorflow/tfjs-backend-wasm'
import { requireFromHere, wasmDistDir, wasmOutDir } from './wasmAssets'

/**
 * Multi-threaded tfjs wasm backend in Node.
 *
 * tfjs-backend-wasm ships an emscripten pthreads + SIMD build whose glue supports Node's
 * worker_threads, but the package never uses it in Node: its WASM_HAS_MULTITHREAD_SUPPORT flag is
 * hard-wired to false there, and its loader hands emscripten a Blob URL for the pthread worker,
 * which Node's Worker cannot open. We therefore instantiate that build ourselves — the worker source
 * written to a real file, the main script given as a path — and wrap it in the package's own
 * BackendWasm, so every registered wasm kernel (and ours) runs unchanged, with XNNPACK's thread
 * pool sized to `threads`.
 */

type WasmModule = ConstructorParameters<typeof BackendWasm>[0]

interface EmscriptenFactoryConfig {
  mainScriptUrlOrBlob: string
  locateFile(path: string, prefix: string): string
}
type EmscriptenFactory = (config: EmscriptenFactoryConfig) => Promise<WasmModule>

interface WorkerSourceModule {
  wasmWorkerContents: string
}

/** Same priority the package registers 'wasm' with, so backend auto-selection is unchanged. */
const WASM_BACKEND_PRIORITY = 2

let registeredThreads: number | undefined
let singleThreadedFactory: (() => tf.KernelBackend | Promise<tf.KernelBackend>) | undefined

/**
 * Replaces the 'wasm' backend factory by one that starts the threaded build with `threads` XNNPACK
 * threads; if that fails (no SharedArrayBuffer, worker start-up error) the package's own
 * single-threaded factory is used instead. Must run before the wasm backend is first initialised.
 */
export function registerThreadedWasmBackend(threads: number): void {
  if (registeredThreads === threads) return
  const singleThreaded = registeredThreads === undefined ? tf.findBackendFactory('wasm') : singleThreadedFactory
  if (singleThreaded == null) throw new Error('tfjs-backend-wasm is not loaded: no wasm backend factory')
  singleThreadedFactory = singleThreaded
  registeredThreads = threads
  tf.removeBackend('wasm')
  tf.registerBackend(
    'wasm',
    async () => {
      try {
        return await createThreadedBackend(threads)
      } catch (error) {
        console.warn(`[pulmo/engine] threaded wasm unavailable (${String(error)}); using one thread`)
        return singleThreaded()
      }
    },
    WASM_BACKEND_PRIORITY
  )
}

async function createThreadedBackend(threads: number): Promise<BackendWasm> {
  const factory = requireFromHere(join(wasmOutDir(), 'tfjs-backend-wasm-threaded-simd.js')) as EmscriptenFactory
  const mainScript = join(wasmOutDir(), 'tfjs-backend-wasm-threaded-simd.js')
  const workerFile = writeWorkerScript()
  const wasmFile = join(wasmDistDir(), 'tfjs-backend-wasm-threaded-simd.wasm')

  // The module sizes its thread-pool cap as (logical cores / 2), assuming hyper-threading, and reads
  // the core count once while its static constructors run. On a 2-core machine that cap is 1, so
  // for the duration of start-up we report 2·threads cores; the real pool size is set below.
  const mutableOs = os as { cpus: typeof os.cpus }
  const realCpus = os.cpus
  mutableOs.cpus = () => {
    const cpus = realCpus()
    const wanted = Math.max(1, threads) * 2
    return Array.from({ length: wanted }, (_, i) => cpus[i % cpus.length])
  }
  let module: WasmModule
  try {
    module = await factory({
      mainScriptUrlOrBlob: mainScript,
      locateFile: (path, prefix) => {
        if (path.endsWith('.worker.js')) return workerFile
        if (path.endsWith('.wasm')) return wasmFile
        return prefix + path
      }
    })
  } finally {
    mutableOs.cpus = realCpus
  }
  attachTfjsBindings(module)
  // BackendWasm's constructor calls init_with_threads_count with the value set here.
  setThreadsCount(threads)
  const backend = new BackendWasm(module)
  releaseEventLoop(module)
  return backend
}

interface PThreadRegistry {
  PThread?: { runningWorkers?: { unref(): void }[] }
}

/**
 * XNNPACK's pool threads run for the life of the module, and emscripten keeps a running pthread's
 * worker referenced, so a process that used the threaded backend would never exit on its own. The
 * pool has no work of its own to finish, so its workers are unreferenced: Node ends them with the
 * process.
 */
function releaseEventLoop(module: WasmModule): void {
  for (const worker of (module as unknown as PThreadRegistry).PThread?.runningWorkers ?? []) worker.unref()
}

/** The same cwrap bindings the package's own loader attaches as `module.tfjs`. */
function attachTfjsBindings(module: WasmModule): void {
  const { cwrap } = module as unknown as EmscriptenCwrap
  module.tfjs = {
    init: cwrap('init', null, []),
    initWithThreadsCount: cwrap('init_with_threads_count', null, ['number']),
    getThreadsCount: cwrap('get_threads_count', 'number', []),
    registerTensor: cwrap('register_tensor', null, ['number', 'number', 'number']),
    disposeData: cwrap('dispose_data', null, ['number']),
    dispose: cwrap('dispose', null, [])
  } as WasmModule['tfjs']
}

/** emscripten's cwrap, which the package's module type does not declare. */
interface EmscriptenCwrap {
  cwrap(name: string, returnType: 'number' | null, argTypes: 'number'[]): (...args: number[]) => number | void
}

/**
 * Writes the pthread worker script to the temp directory (content-addressed, written atomically so
 * concurrent processes never see a partial file) and returns its path. `.cjs` because the script
 * uses require(). The package stores it as a template literal whose `\n` escapes became real
 * newlines inside string literals; re-escaping them restores valid JavaScript, as the package's
 * browser loader does.
 */
function writeWorkerScript(): string {
  const source = requireFromHere(join(wasmOutDir(), 'tfjs-backend-wasm-threaded-simd.worker.js')) as WorkerSourceModule
  const script = source.wasmWorkerContents.replace(/\n/g, '\\n')
  const hash = createHash('sha256').update(script).digest('hex').slice(0, 12)
  const file = join(os.tmpdir(), `pulmo-tfjs-wasm-${version_wasm}-${hash}.worker.cjs`)
  if (!existsSync(file)) {
    const partial = `${file}.${process.pid}.tmp`
    writeFileSync(partial, script)
    renameSync(partial, file)
  }
  return file
}
