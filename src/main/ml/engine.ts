import os from 'node:os'
import * as tf from '@tensorflow/tfjs'
import '@tensorflow/tfjs-backend-wasm'
import {
  BACKEND_ORDER,
  activateBackend,
  activeThreads,
  parseBackendChoice,
  type BackendChoice,
  type BackendName
} from './backends'
import { nativeAddonError, nativeAddonInfo } from './kernels/nativeAddon'
import { registerEngineKernels } from './kernels/registerEngineKernels'
import { setNativeImagingPending } from '../nativeImaging'
import { envBackend, envWasmThreads, type EnvSource } from '../env'

/**
 * The tensor engine of the compute process: picks the backend, prepares it and installs the
 * project's gradient kernels. Everything else in ml/ only uses tf ops and never names a backend.
 */

export type { BackendChoice, BackendName } from './backends'

export interface EngineOptions {
  /** A setting or command-line choice; takes precedence over PULMO_BACKEND. Default 'auto'. */
  backend?: BackendChoice
  /** wasm XNNPACK threads; default PULMO_WASM_THREADS, else the number of cores. */
  threads?: number
  /** Where the choice is reported; default console.info. */
  log?: (line: string) => void
  /** Environment to read PULMO_BACKEND / PULMO_WASM_THREADS from; default process.env. */
  env?: EnvSource
}

export interface EngineInfo {
  backend: BackendName
  /** Threads the backend computes with (wasm thread pool size; 1 for cpu). */
  threads: number
  /** How the backend was chosen, for the log and the UI. */
  reason: 'setting' | 'PULMO_BACKEND' | 'auto'
}

let current: EngineInfo | undefined

/**
 * Selects and activates the backend: the forced one (option, then PULMO_BACKEND) or the first
 * loadable of tensorflow → wasm → cpu. A forced backend that cannot load is an error rather than a
 * silent fallback, so a misconfigured workstation is noticed. Logs and returns the backend name.
 */
export async function initEngine(options: EngineOptions = {}): Promise<BackendName> {
  // Work that can use the native kernels from its first call (a series' decoding) waits for this
  // start rather than run without them while it is under way.
  const starting = startEngine(options)
  setNativeImagingPending(starting)
  try {
    return await starting
  } finally {
    setNativeImagingPending(undefined)
  }
}

async function startEngine(options: EngineOptions): Promise<BackendName> {
  const log = options.log ?? ((line: string) => console.info(line))
  const fromSetting = options.backend !== undefined && options.backend !== 'auto'
  const choice: BackendChoice = fromSetting
    ? parseBackendChoice(options.backend, 'backend setting')
    : parseBackendChoice(envBackend(options.env), 'PULMO_BACKEND')
  const reason: EngineInfo['reason'] = fromSetting ? 'setting' : choice === 'auto' ? 'auto' : 'PULMO_BACKEND'
  const threads = options.threads ?? envWasmThreads(options.env) ?? os.availableParallelism()

  // Kernels and gradients are keyed by backend name, so installing them before activation is safe.
  registerEngineKernels()

  const candidates: readonly BackendName[] = choice === 'auto' ? BACKEND_ORDER : [choice]
  const skipped: BackendName[] = []
  for (const name of candidates) {
    if (await activateBackend(name, { threads })) {
      await tf.ready()
      current = { backend: name, threads: activeThreads(), reason }
      const native = nativeAddonInfo()
      const kernels = name === 'native' && native !== undefined ? ` (oneDNN ${native.onednn} kernels on wasm)` : ''
      const why = skipped.includes('native') ? ` (native kernels: ${nativeAddonError() ?? 'unavailable'})` : ''
      const note = skipped.length > 0 ? `; unavailable: ${skipped.join(', ')}${why}` : ''
      log(`[pulmo/engine] backend ${name}${kernels} (${reason}), ${current.threads} thread(s)${note}`)
      return name
    }
    skipped.push(name)
  }
  throw new Error(`[pulmo/engine] backend ${choice} could not be loaded (${reason})`)
}

/** The active engine, once initEngine has resolved. */
export function engineInfo(): EngineInfo | undefined {
  return current
}

