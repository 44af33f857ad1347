import * as tf from '@tensorflow/tfjs'
import '@tensorflow/tfjs-backend-wasm'
import { initEngine } from '../../../../src/main/ml/engine'

/**
 * The reference backend for model tests: plain-JS cpu, through the engine so that the project's
 * gradient kernels are installed — tfjs-core's own Conv2D gradient rejects dilation > 1, which the
 * receptive-field blocks use.
 */
export async function useCpuBackend(): Promise<void> {
  await initEngine({ backend: 'cpu', log: () => undefined })
}

/** A bright disc on a dark background, its mask, and the mask's one-pixel boundary (the edge map). */
export function syntheticDisc(size: number, batch = 1): { image: tf.Tensor4D; mask: tf.Tensor4D; edge: tf.Tensor4D } {
  const mask = new Float32Array(size * size)
  const image = new Float32Array(size * size)
  const c = (size - 1) / 2
  const r = size / 4
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const inside = (x - c - size / 8) ** 2 + (y - c) ** 2 <= r * r
      mask[y * size + x] = inside ? 1 : 0
      // a faint gradient and texture so the image is not trivially the mask
      image[y * size + x] = (inside ? 0.8 : 0.2) + 0.05 * Math.sin(x * 0.7) * Math.cos(y * 0.3) + (0.1 * y) / size
    }
  }
  const edge = new Float32Array(size * size)
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const v = mask[y * size + x]
      const differs = [
        [0, 1],
        [1, 0],
        [0, -1],
        [-1, 0]
      ].some(([dy, dx]) => {
        const yy = y + dy
        const xx = x + dx
        return yy >= 0 && yy < size && xx >= 0 && xx < size && mask[yy * size + xx] !== v
      })
      edge[y * size + x] = differs && v === 1 ? 1 : 0
    }
  }
  const stack = (a: Float32Array): tf.Tensor4D => tf.tile(tf.tensor4d(a, [1, size, size, 1]), [batch, 1, 1, 1])
  return { image: stack(image), mask: stack(mask), edge: stack(edge) }
}
