import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type * as tf from '@tensorflow/tfjs'
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm'
import { envNativeAddon, preferPassiveOpenMp } from '../../env'
import type { NativeImaging } from '../../nativeImaging'

/**
 * The native oneDNN kernels (native/dnnl, built by scripts/build-native.js at install) and the
 * bridge to the wasm backend's heap: a kernel passes the heap as one Float32Array and each tensor
 * as its element offset in it, so oneDNN reads and writes the tensors in place, without copies.
 *
 * The addon is only loaded by the engine (the compute process and the CLI): a native crash there
 * ends that process, never the workstation's main process or its database.
 */
/** An addon kernel: the wasm heap as one Float32Array and its parameters (see pulmo_dnnl.cc). */
export type HeapKernel = (heap: Float32Array, params: Float64Array) => void

const HEAP_KERNELS = [
  'conv2d',
  'conv2dBackpropInput',
  'conv2dBackpropFilter',
  'depthwiseConv2d',
  'pool',
  'poolGrad',
  'matmul',
  'eltwise',
  'binary',
  'batchNorm',
  'concat',
  'split',
  'resizeBilinear',
  'resizeBilinearGrad',
  'reverse'
] as const

/** The image kernels on plain typed arrays (morphology/nativeImaging). */
const ARRAY_KERNELS = ['smoothAxis', 'squaredDistance3d', 'closeAndFillSlices', 'decodeJpegLosslessSlices', 'maskRuns', 'growMarkers'] as const

export type NativeAddon = Record<(typeof HEAP_KERNELS)[number], HeapKernel> &
  NativeImaging & {
  setThreads(threads: number): void
  /** "oneDNN version;OpenMP threads;cached primitives". */
  describe(): string
  clearCache(): void
}

const ADDON_FILE = 'pulmo_dnnl.node'
let loaded: { addon: NativeAddon; path: string } | null | undefined
let loadError: string | undefined

/**
 * Where the built addon may be: PULMO_NATIVE_ADDON, an Electron package's resources, or
 * native/build/ of the project, found by walking up from this module (source tree, tests and the
 * electron-vite bundle in out/main sit at different depths).
 */
function candidates(): string[] {
  const found: string[] = []
  const fromEnv = envNativeAddon()
  if (fromEnv !== undefined) found.push(fromEnv)
  const resources = (process as { resourcesPath?: string }).resourcesPath
  if (resources !== undefined) found.push(join(resources, 'native', ADDON_FILE))
  let dir = dirname(fileURLToPath(import.meta.url))
  for (let i = 0; i < 8; i++) {
    found.push(join(dir, 'native', 'build', ADDON_FILE))
    const parent = dirname(dir)
    if (parent === dir) break
    dir = parent
  }
  return found
}

/** The addon, or undefined where it was not built (no g++ or libdnnl) or fails to load. */
export function loadNativeAddon(): NativeAddon | undefined {
  if (loaded !== undefined) return loaded?.addon
  loaded = null
  const path = candidates().find((p) => existsSync(p))
  if (path === undefined) {
    loadError = 'not built (scripts/build-native.js needs g++ and libdnnl-dev)'
    return undefined
  }
  try {
    preferPassiveOpenMp()
    const addon = createRequire(import.meta.url)(path) as NativeAddon
    // An addon built from older sources may lack a kernel this code calls: refuse it whole.
    const missing = [...HEAP_KERNELS, ...ARRAY_KERNELS].filter((name) => typeof addon[name] !== 'function')
    if (missing.length > 0) throw new Error(`stale build, no ${missing.join(', ')} (npm run build:native)`)
    loaded = { addon, path }
    return addon
  } catch (error) {
    loadError = `${path}: ${error instanceof Error ? error.message : String(error)}`
    return undefined
  }
}

/** Why the addon is not available, for the engine's log line. */
export function nativeAddonError(): string | undefined {
  return loadError
}

export function nativeAddonInfo(): { path: string; onednn: string; threads: number; cached: number } | undefined {
  if (!loaded) return undefined
  const [onednn, threads, cached] = loaded.addon.describe().split(';')
  return { path: loaded.path, onednn, threads: Number(threads), cached: Number(cached) }
}

/** The wasm module's memory: `wasmMemory` where the build exports it (always current), else HEAPU8. */
interface WasmMemoryModule {
  HEAPU8: Uint8Array
  wasmMemory?: { buffer: ArrayBufferLike }
}

/**
 * A Float32Array over the whole wasm heap. Take it after the kernel's last allocation
 * (makeOutput): growing the heap replaces its buffer, and a view of the old one would be stale.
 */
export function heapView(backend: BackendWasm): Float32Array {
  const module = backend.wasm as unknown as WasmMemoryModule
  const buffer = module.wasmMemory?.buffer ?? module.HEAPU8.buffer
  return new Float32Array(buffer, 0, Math.floor(buffer.byteLength / 4))
}

/** Element offset of a float32 tensor in the heap view. */
export function heapOffset(backend: BackendWasm, info: tf.TensorInfo): number {
  const data = backend.dataIdMap.get(info.dataId) as { memoryOffset: number } | undefined
  if (data === undefined) throw new Error('native kernel: tensor is not on the wasm backend')
  if (data.memoryOffset % 4 !== 0) throw new Error('native kernel: misaligned tensor')
  return data.memoryOffset / 4
}
