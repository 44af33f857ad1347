import * as tf from '@tensorflow/tfjs'
import { readRaster } from '../../volume'
import { rasterFilesIn } from '../../volume/raster'
import { standardise } from '../../ml/inference/preprocess'

/** Slices resized to one size and standardised, back to back: [count, size, size] row-major. */
export interface GreyStack {
  size: number
  count: number
  names: string[]
  slices: Float32Array
}

/**
 * Reads every PNG/JPEG in the folders (name order; at most `limitPerFolder` each, 0 = all),
 * resized to size×size and standardised once, so pretraining steps only slice memory. 1600 slices
 * at 352 px take 790 MB; at 128 px, 105 MB.
 */
export async function readGreySlices(folders: string[], size: number, limitPerFolder = 0): Promise<GreyStack> {
  const files: string[] = []
  for (const folder of folders) {
    const found = await rasterFilesIn(folder)
    if (found.length === 0) throw new Error(`${folder} holds no PNG or JPEG slices`)
    files.push(...(limitPerFolder > 0 ? found.slice(0, limitPerFolder) : found))
  }
  const area = size * size
  const slices = new Float32Array(files.length * area)
  for (const [i, file] of files.entries()) {
    const v = await readRaster(file)
    const [w, h] = v.dimensions
    const data = tf.tidy(() => {
      const t = tf.tensor4d(Float32Array.from(v.data as Uint8Array), [1, h, w, 1])
      return standardise(tf.image.resizeBilinear(t, [size, size], false)).dataSync() as Float32Array
    })
    slices.set(data, i * area)
  }
  return { size, count: files.length, names: files, slices }
}
