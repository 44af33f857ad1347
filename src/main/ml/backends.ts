import * as tf from '@tensorflow/tfjs'
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm'
import { loadNativeAddon } from './kernels/nativeAddon'
import { setNativeImaging } from '../nativeImaging'
import { setNativeKernels } from './kernels/nativeKernel'
import { wasmDistDir } from './wasmAssets'
import { registerThreadedWasmBackend } from './wasmThreads'

/**
 * The tfjs backends Pulmo can run on, fastest first: `tensorflow` (libtensorflow through
 * tfjs-node-gpu or tfjs-node: the GPU workstation path), `native` (the wasm backend with its heavy
 * kernels on oneDNN through Pulmo's addon, where the install could build it: the CPU at its full
 * width), `wasm` (XNNPACK alone: the CPU fallback), `cpu` (plain JavaScript: always available, slow).
 * `native` and `wasm` are the same tfjs backend ('wasm'); only the kernels behind it differ.
 */
export const BACKEND_ORDER = ['tensorflow', 'native', 'wasm', 'cpu'] as const
export type BackendName = (typeof BACKEND_ORDER)[number]
export type BackendChoice = BackendName | 'auto'

export function isBackendName(value: string): value is BackendName {
  return (BACKEND_ORDER as readonly string[]).includes(value)
}

/** Parses a setting or PULMO_BACKEND value; empty means auto. */
export function parseBackendChoice(value: string | undefined, source: string): BackendChoice {
  const v = (value ?? '').trim().toLowerCase()
  if (v === '' || v === 'auto') return 'auto'
  if (isBackendName(v)) return v
  throw new Error(`${source}: unknown backend '${value}' (expected auto, ${BACKEND_ORDER.join(', ')})`)
}

/** Node packages that provide the `tensorflow` backend, GPU build first. */
const TENSORFLOW_PACKAGES = ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'] as const

/**
 * Loads tfjs-node-gpu or tfjs-node if installed and loadable (native addon present, libtensorflow
 * found). Returns the package that registered the backend, or undefined. The specifier is a
 * variable so the bundler leaves the import alone: neither package is installed on most machines.
 */
async function loadTensorflowBackend(): Promise<string | undefined> {
  for (const pkg of TENSORFLOW_PACKAGES) {
    try {
      await import(/* @vite-ignore */ pkg)
    } catch {
      continue
    }
    // The package registers with its own copy of tfjs-core if versions differ; then it is unusable.
    if (tf.findBackendFactory('tensorflow') != null) return pkg
  }
  return undefined
}

export interface WasmSetup {
  /** XNNPACK threads to use; 1 keeps the package's single-threaded loader. */
  threads: number
}

let wasmPrepared: WasmSetup | undefined

/**
 * Points the wasm backend at its binaries and, for threads > 1, swaps in the threaded build.
 * Only effective before the wasm backend is first initialised (the binary cannot change after).
 */
function prepareWasm(setup: WasmSetup): void {
  if (wasmPrepared !== undefined) return
  wasmPrepared = setup
  // Already initialised elsewhere (tf.setBackend('wasm') before initEngine): replacing it would
  // dispose the live backend and every tensor on it, so it is kept as it is.
  if (tf.findBackend('wasm') != null) return
  // Node has no fetch for file paths; the package reads the binary with fs from this prefix.
  setWasmPaths(wasmDistDir())
  if (setup.threads > 1) registerThreadedWasmBackend(setup.threads)
}

/** Tries to make `name` the active backend; resolves false when it cannot be loaded. */
export async function activateBackend(name: BackendName, wasm: WasmSetup): Promise<boolean> {
  if (name === 'tensorflow' && (await loadTensorflowBackend()) === undefined) return false
  const addon = name === 'native' ? loadNativeAddon() : undefined
  if (name === 'native' && addon === undefined) return false
  if (name === 'native' || name === 'wasm') prepareWasm(wasm)
  try {
    const active = await tf.setBackend(name === 'native' ? 'wasm' : name)
    if (active && addon !== undefined) addon.setThreads(Math.max(1, wasm.threads))
    // Only the native backend runs the addon's kernels; forcing 'wasm' runs the package's alone.
    setNativeKernels(active ? addon : undefined)
    setNativeImaging(active ? addon : undefined)
    return active
  } catch {
    return false
  }
}

/** XNNPACK threads of the active wasm backend (1 for other backends). */
export function activeThreads(): number {
  if (tf.getBackend() !== 'wasm') return 1
  const backend = tf.backend() as { wasm?: { tfjs?: { getThreadsCount?: () => number } } }
  return backend.wasm?.tfjs?.getThreadsCount?.() ?? 1
}
