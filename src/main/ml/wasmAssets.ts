import { createRequire } from 'node:module'
import { dirname, join, sep } from 'node:path'

/**
 * Where @tensorflow/tfjs-backend-wasm keeps its .wasm binaries and emscripten glue.
 * Resolved through Node's module resolution from this file rather than from the working directory,
 * so it holds in tests, in scripts and in the electron-vite bundle (out/main → node_modules).
 */
const requireFromHere = createRequire(import.meta.url)

/** The package's dist/ directory, with a trailing separator as setWasmPaths concatenates names. */
export function wasmDistDir(): string {
  // `main` of the package is dist/tf-backend-wasm.node.js.
  return dirname(requireFromHere.resolve('@tensorflow/tfjs-backend-wasm')) + sep
}

/** The package's wasm-out/ directory: emscripten factories and the pthread worker source. */
export function wasmOutDir(): string {
  return join(wasmDistDir(), '..', 'wasm-out')
}

export { requireFromHere }
