import { homedir } from 'node:os'
import { join, resolve } from 'node:path'

/**
 * The environment variables Pulmo reads, all of them, read and validated here so that they are
 * documented in one place. Each is read when asked for (not at start-up): the CLI sets
 * PULMO_BACKEND from --backend before the compute process (which inherits the environment) starts.
 *
 * | variable             | what it sets                                                        |
 * |----------------------|---------------------------------------------------------------------|
 * | PULMO_DATA_DIR       | the data folder (database, voxels, masks, reports) when no --data-dir |
 * | PULMO_BACKEND        | the tensor backend: auto, tensorflow, native, wasm or cpu (checked by ml/backends) |
 * | PULMO_WASM_THREADS   | wasm XNNPACK threads (a positive integer); default the number of cores |
 * | PULMO_NATIVE_ADDON   | path of the native oneDNN kernels (pulmo_dnnl.node) to load instead of native/build's |
 * | PULMO_MODEL_DIR      | the infection model folder, over the active and the bundled model   |
 * | PULMO_INPUT_WINDOW   | "centre,width" in HU: the model's input window, for experiments     |
 * | PULMO_PACS_PASSWORD  | `pulmo pacs --user U`'s password, kept off the command line         |
 * | PULMO_PACS_TOKEN     | `pulmo pacs`'s bearer token, kept off the command line              |
 * | PULMO_BACKEND_SETTING| set by the workstation for its compute process: the backend setting |
 * | APPDATA (Windows), XDG_DATA_HOME (Linux) | where the per-user data folder goes by default  |
 */

/** Where a variable is read from; tests pass their own. */
export type EnvSource = Readonly<Record<string, string | undefined>>

/** A variable's value, with an empty or blank one read as unset. */
function read(name: string, source: EnvSource = process.env): string | undefined {
  const value = source[name]
  return value === undefined || value.trim() === '' ? undefined : value
}

/** PULMO_DATA_DIR, resolved against the working directory. */
export function envDataDir(): string | undefined {
  const dir = read('PULMO_DATA_DIR')
  return dir === undefined ? undefined : resolve(dir)
}

/** The platform's per-user application data folder for Pulmo (where Electron's userData goes too). */
export function platformDataDir(platform: NodeJS.Platform = process.platform): string {
  const home = homedir()
  switch (platform) {
    case 'win32':
      return join(read('APPDATA') ?? join(home, 'AppData', 'Roaming'), 'Pulmo')
    case 'darwin':
      return join(home, 'Library', 'Application Support', 'Pulmo')
    default:
      return join(read('XDG_DATA_HOME') ?? join(home, '.local', 'share'), 'Pulmo')
  }
}

/** PULMO_BACKEND as written; the engine, which knows the backends, checks the name. */
export function envBackend(source?: EnvSource): string | undefined {
  return read('PULMO_BACKEND', source)
}

/** Sets PULMO_BACKEND for this process and the compute processes it starts (the CLI's --backend). */
export function setEnvBackend(backend: string): void {
  process.env.PULMO_BACKEND = backend
}

/** PULMO_BACKEND_SETTING: the backend setting the workstation hands its compute process ('auto' when unset). */
export function envBackendSetting(): string {
  return read('PULMO_BACKEND_SETTING') ?? 'auto'
}

/** The environment of a compute process: this one's, with the backend setting it is to use. */
export function computeProcessEnv(backendSetting: string): Record<string, string | undefined> {
  return { ...process.env, PULMO_BACKEND_SETTING: backendSetting }
}

/** PULMO_WASM_THREADS: a positive integer. */
export function envWasmThreads(source?: EnvSource): number | undefined {
  const value = read('PULMO_WASM_THREADS', source)
  if (value === undefined) return undefined
  const n = Number(value)
  if (!Number.isInteger(n) || n < 1) throw new Error(`PULMO_WASM_THREADS: expected a positive integer, got '${value}'`)
  return n
}

/** PULMO_NATIVE_ADDON: the path of a built pulmo_dnnl.node to load instead of native/build's. */
export function envNativeAddon(): string | undefined {
  const path = read('PULMO_NATIVE_ADDON')
  return path === undefined ? undefined : resolve(path)
}

/**
 * Makes OpenMP (the native kernels' thread pool) sleep between kernels instead of spinning: its
 * spinning threads would hold the cores the wasm backend's own threads need for the kernels in
 * between. libgomp reads the variable when the addon loads it, so this runs before; an explicit
 * OMP_WAIT_POLICY is kept.
 */
export function preferPassiveOpenMp(): void {
  if (read('OMP_WAIT_POLICY') === undefined) process.env.OMP_WAIT_POLICY = 'PASSIVE'
}

/** PULMO_MODEL_DIR, resolved against the working directory. */
export function envModelDir(): string | undefined {
  const dir = read('PULMO_MODEL_DIR')
  return dir === undefined ? undefined : resolve(dir)
}

/** PULMO_INPUT_WINDOW "centre,width"; a value that is not two numbers is refused rather than ignored. */
export function envInputWindow(): { center: number; width: number } | undefined {
  const value = read('PULMO_INPUT_WINDOW')
  if (value === undefined) return undefined
  const parts = value.split(',').map(Number)
  if (parts.length !== 2 || !parts.every(Number.isFinite) || parts[1] <= 0) {
    throw new Error(`PULMO_INPUT_WINDOW: expected "centre,width" in HU (e.g. -350,1400), got '${value}'`)
  }
  return { center: parts[0], width: parts[1] }
}

/** PULMO_PACS_PASSWORD and PULMO_PACS_TOKEN: secrets for `pulmo pacs`, kept off the command line. */
export function envPacsSecrets(): { password?: string; token?: string } {
  return { password: read('PULMO_PACS_PASSWORD'), token: read('PULMO_PACS_TOKEN') }
}
