import * as tf from '@tensorflow/tfjs'
import { augmentSample, type AugmentConfig, type SamplePlane } from '../ml/augment'
import { INPUT_MEAN, networkGrey, standardise } from '../ml/inference/preprocess'
import type { InputNormalisation } from '../ml/models/infnet/config'
import type { LabelledSlice } from './labelledSlices'

/** A training batch at one size: standardised images; masks and edges in [0, 1]; class labels when asked. */
export interface LabelledBatch {
  x: tf.Tensor4D
  mask: tf.Tensor4D
  edge: tf.Tensor4D
  /** [N, H, W] int32 labels 0/1/2, for multi-class training. */
  classes?: tf.Tensor3D
  /** [N, H, W, 1] infection prior in [0, 1] (multi-class Inf-Net's second input), when given. */
  prior?: tf.Tensor4D
}

/** Resamples an 8-bit plane to size×size: bilinear, or nearest for class labels. */
function resizePlane(data: Uint8Array | Float32Array, width: number, height: number, size: number, nearest: boolean): Float32Array {
  return tf.tidy(() => {
    const t = tf.tensor4d(Float32Array.from(data), [1, height, width, 1])
    const r = nearest ? tf.image.resizeNearestNeighbor(t, [size, size], false, true) : tf.image.resizeBilinear(t, [size, size], false)
    return r.dataSync() as Float32Array
  })
}

/** Mean grey of the training images (the standardisation's mean): cutout then erases to "zero" input. */
const CUTOUT_GREY = INPUT_MEAN * 255

/**
 * Builds a batch from slices at their own sizes: every plane is resized to `size`, then, with
 * `augment`, one transform drawn from `rand` per slice is applied identically to image, mask, edge
 * and labels (cutout only to the image).
 *
 * `normalisation` is the network's input representation (see equalise.ts), applied to the
 * image at its own size before anything else, as inference does.
 *
 * `prior`, one map per slice at the slice's own size (0–1, e.g. Inf-Net's σ(S_3)), adds a bilinear
 * plane warped with the same transform. Cutout leaves it alone, like the labels: it stands for
 * what the single-class model sees, and it does not add draws to `rand`, so batches without it
 * are unchanged.
 */
export function labelledBatch(
  slices: LabelledSlice[],
  size: number,
  options: { augment?: AugmentConfig; rand?: () => number; classes?: boolean; prior?: Float32Array[]; normalisation?: InputNormalisation } = {}
): LabelledBatch {
  const n = slices.length
  const area = size * size
  const image = new Float32Array(n * area)
  const mask = new Float32Array(n * area)
  const edge = new Float32Array(n * area)
  const classes = options.classes ? new Int32Array(n * area) : undefined
  if (options.prior && options.prior.length !== n) throw new Error(`${options.prior.length} prior maps for ${n} slices`)
  const prior = options.prior ? new Float32Array(n * area) : undefined
  slices.forEach((s, i) => {
    const planes: SamplePlane[] = [
      { data: resizePlane(networkGrey(s.image, options.normalisation), s.width, s.height, size, false), interpolation: 'bilinear', fill: 0, cutout: CUTOUT_GREY },
      { data: resizePlane(s.mask, s.width, s.height, size, false), interpolation: 'bilinear', fill: 0, cutout: false },
      { data: resizePlane(s.edge, s.width, s.height, size, false), interpolation: 'bilinear', fill: 0, cutout: false }
    ]
    if (classes) {
      if (!s.classes) throw new Error(`${s.name} has no multi-class mask (masks-multiclass/)`)
      planes.push({ data: resizePlane(s.classes, s.width, s.height, size, true), interpolation: 'nearest', fill: 0, cutout: false })
    }
    const priorPlane = planes.length
    if (options.prior) {
      const map = options.prior[i]
      if (map.length !== s.width * s.height) throw new Error(`${s.name}: the prior map has ${map.length} values, the slice ${s.width}×${s.height}`)
      planes.push({ data: resizePlane(map, s.width, s.height, size, false), interpolation: 'bilinear', fill: 0, cutout: false })
    }
    const out = options.augment ? augmentSample(planes, size, options.augment, options.rand ?? Math.random) : planes.map((p) => p.data)
    image.set(out[0], i * area)
    for (let j = 0; j < area; j++) {
      mask[i * area + j] = out[1][j] / 255
      edge[i * area + j] = out[2][j] / 255
    }
    if (classes) for (let j = 0; j < area; j++) classes[i * area + j] = out[3][j]
    if (prior) prior.set(out[priorPlane], i * area)
  })
  const shape: [number, number, number, number] = [n, size, size, 1]
  return {
    x: tf.tidy(() => standardise(tf.tensor4d(image, shape))),
    mask: tf.tensor4d(mask, shape),
    edge: tf.tensor4d(edge, shape),
    classes: classes ? tf.tensor3d(classes, [n, size, size], 'int32') : undefined,
    prior: prior ? tf.tensor4d(prior, shape) : undefined
  }
}

export function disposeBatch(b: LabelledBatch): void {
  tf.dispose([b.x, b.mask, b.edge, ...(b.classes ? [b.classes] : []), ...(b.prior ? [b.prior] : [])])
}
