import * as tf from '@tensorflow/tfjs'

/**
 * Helpers for checking the wasm backend against the cpu backend (tfjs's plain-JavaScript reference
 * implementation) on identical inputs.
 */

/** Deterministic pseudo-random values in [-1, 1) (a 32-bit LCG), so failures reproduce. */
export function seededValues(count: number, seed: number): Float32Array {
  const out = new Float32Array(count)
  let state = seed >>> 0 || 1
  for (let i = 0; i < count; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0
    out[i] = state / 2 ** 31 - 1
  }
  return out
}

export function seededTensor(shape: number[], seed: number): tf.Tensor {
  const size = shape.reduce((a, b) => a * b, 1)
  return tf.tensor(seededValues(size, seed), shape)
}

/**
 * Runs `compute` with `backend` active and returns the values of the tensors it returns. Inputs
 * should be created inside `compute` so that each backend owns its own copies.
 */
export async function valuesOn(backend: 'wasm' | 'cpu', compute: () => tf.Tensor[]): Promise<Float32Array[]> {
  if (!(await tf.setBackend(backend))) throw new Error(`backend ${backend} unavailable`)
  const outputs = compute()
  const values = await Promise.all(outputs.map(async (t) => (await t.data()) as Float32Array))
  tf.dispose(outputs)
  return values
}

/** max |a − b| divided by max |b| (b is the reference); 0 for two all-zero arrays. */
export function relativeMaxDiff(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return Infinity
  let diff = 0
  let scale = 0
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]))
    scale = Math.max(scale, Math.abs(b[i]))
  }
  return scale === 0 ? diff : diff / scale
}

/** Largest magnitude, to make sure a comparison is not between two arrays of zeros. */
export function maxAbs(a: Float32Array): number {
  let m = 0
  for (const v of a) m = Math.max(m, Math.abs(v))
  return m
}
