import * as tf from '@tensorflow/tfjs'
import type { AnyNetwork, InfNetNetwork, MultiClassNetwork } from '../models/infnet'
import { greyTensor, networkGrey, resizeForNetwork, standardise } from './preprocess'

export interface GreySlice {
  data: Uint8Array
  width: number
  height: number
}

export interface ProbabilityMap {
  width: number
  height: number
  /** σ(S_3) at the slice's own size, 0–1. */
  data: Float32Array
}

export interface SegmentSlicesOptions {
  batchSize?: number
  /**
   * Horizontal-flip test-time augmentation: each slice is also segmented mirrored left to right,
   * and the mean of the two probability maps (the mirrored one mirrored back) is the result. Twice
   * the network's work; a map that no longer depends on which side of the image a lesion lies.
   */
  flip?: boolean
  onProgress?: (done: number, total: number) => void
  cancelled?: () => boolean
}

/**
 * Single-class Inf-Net inference: each slice is resized to the network's input size, segmented,
 * and σ(S_3) resized back to the slice's size. Slices go through in batches of the same size.
 */
export async function segmentSlices(
  network: InfNetNetwork,
  slices: GreySlice[],
  options: SegmentSlicesOptions = {}
): Promise<ProbabilityMap[]> {
  const size = network.config.inputSize
  const batchSize = options.batchSize ?? 4
  const out: ProbabilityMap[] = []
  for (let start = 0; start < slices.length; start += batchSize) {
    if (options.cancelled?.()) throw new Error('cancelled')
    const batch = slices.slice(start, start + batchSize)
    const probabilities = tf.tidy(() => {
      const normalisation = network.config.inputNormalisation
      const x = standardise(tf.concat(batch.map((s) => resizeForNetwork(greyTensor(networkGrey(s.data, normalisation), s.width, s.height), size))))
      if (!options.flip) return tf.sigmoid(network.forward(x, false).s3)
      // the batch and its mirror image in one call; the mirror's maps mirrored back and averaged in
      const both = tf.sigmoid(network.forward(tf.concat([x, tf.reverse(x, 2)]), false).s3)
      const [plain, mirrored] = tf.split(both, 2)
      return tf.mul(tf.add(plain, tf.reverse(mirrored, 2)), 0.5)
    })
    for (const [i, s] of batch.entries()) {
      const map = tf.tidy(() =>
        tf.image.resizeBilinear(tf.slice(probabilities, [i, 0, 0, 0], [1, size, size, 1]) as tf.Tensor4D, [s.height, s.width], false)
      )
      out.push({ width: s.width, height: s.height, data: (await map.data()) as Float32Array })
      map.dispose()
    }
    probabilities.dispose()
    options.onProgress?.(Math.min(start + batchSize, slices.length), slices.length)
    await new Promise((r) => setImmediate(r)) // let progress messages and cancel requests through
  }
  return out
}

/**
 * An ensemble's map (e.g. the models of the folds of a cross-validation): the mean of each network's
 * map, every network's work once per slice (twice with `flip`).
 */
export async function segmentSlicesEnsemble(
  networks: readonly InfNetNetwork[],
  slices: GreySlice[],
  options: SegmentSlicesOptions = {}
): Promise<ProbabilityMap[]> {
  if (networks.length === 0) throw new Error('an ensemble needs at least one network')
  const [first, ...rest] = networks
  const sum = await segmentSlices(first, slices, options)
  for (const network of rest) {
    const maps = await segmentSlices(network, slices, options)
    for (const [i, m] of maps.entries()) for (let p = 0; p < m.data.length; p++) sum[i].data[p] += m.data[p]
  }
  if (rest.length > 0) for (const m of sum) for (let p = 0; p < m.data.length; p++) m.data[p] /= networks.length
  return sum
}

/**
 * Multi-class inference: the grey slice and Inf-Net's infection probability (the prior) in, the
 * arg-max label (0 background, 1 ground-glass, 2 consolidation) out, at the slice's size. The
 * slices go through the network as one batch (a volume's typing passes its batches here).
 */
export async function labelSlices(
  network: MultiClassNetwork,
  slices: GreySlice[],
  priors: ProbabilityMap[]
): Promise<Uint8Array[]> {
  if (slices.length === 0) return []
  const size = network.config.inputSize
  const logits = tf.tidy(() => {
    const inputs = slices.map((s, i) => {
      const grey = standardise(resizeForNetwork(greyTensor(networkGrey(s.data, network.config.inputNormalisation), s.width, s.height), size))
      const prior = resizeForNetwork(tf.tensor4d(priors[i].data, [1, s.height, s.width, 1]), size)
      return tf.concat([grey, prior], 3)
    })
    return network.forward(inputs.length === 1 ? inputs[0] : tf.concat(inputs), false)
  })
  const labels: Uint8Array[] = []
  for (const [i, s] of slices.entries()) {
    const label = tf.tidy(() => {
      const one = tf.slice(logits, [i, 0, 0, 0], [1, size, size, logits.shape[3]]) as tf.Tensor4D
      return tf.argMax(tf.image.resizeBilinear(one, [s.height, s.width], false), 3)
    })
    labels.push(Uint8Array.from(await label.data()))
    label.dispose()
  }
  logits.dispose()
  return labels
}

export function isInfNet(n: AnyNetwork): n is InfNetNetwork {
  return n.config.architecture === 'infnet'
}
