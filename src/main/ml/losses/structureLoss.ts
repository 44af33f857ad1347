import * as tf from '@tensorflow/tfjs'
import { bceWithLogits } from './binaryCrossEntropy'

/** Side of the averaging window that measures how close a pixel is to the mask boundary. */
export const BOUNDARY_WINDOW = 31
/** Extra weight at boundary pixels: weit = 1 + BOUNDARY_GAIN · |avgpool(g) − g|. */
export const BOUNDARY_GAIN = 5

/**
 * Inf-Net's pixel weights: 1 + 5·|avgpool31(g) − g|, the average a 31×31 window, stride 1, zero
 * padding 15, divided by 961 everywhere (F.avg_pool2d's count_include_pad=True) — so pixels near
 * the boundary, and near the image border, weigh more. The box filter is separable: two 1-D
 * means give exactly the 2-D one at 62 instead of 961 reads per pixel.
 *
 * @param mask [N, H, W, 1] ground truth in [0, 1]
 */
export function boundaryWeights(mask: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    const r = BOUNDARY_WINDOW >> 1
    const padded = tf.pad(mask, [
      [0, 0],
      [r, r],
      [r, r],
      [0, 0]
    ])
    const rows = tf.avgPool(padded, [BOUNDARY_WINDOW, 1], 1, 'valid')
    const local = tf.avgPool(rows, [1, BOUNDARY_WINDOW], 1, 'valid')
    return tf.add(1, tf.mul(BOUNDARY_GAIN, tf.abs(tf.sub(local, mask))))
  })
}

export interface StructureLossTerms {
  /** Per image Σ(weit·bce) / Σ weit, shape [N]. */
  weightedBce: tf.Tensor1D
  /** Per image 1 − (inter + 1) / (union − inter + 1) with weit-weighted sums on σ(pred), [N]. */
  weightedIou: tf.Tensor1D
}

/** The two terms of the structure loss per image (exposed for tests and logging). */
export function structureLossTerms(logits: tf.Tensor4D, mask: tf.Tensor4D, weights = boundaryWeights(mask)): StructureLossTerms {
  return tf.tidy(() => {
    const axes = [1, 2, 3]
    const weightedBce = tf.div(tf.sum(tf.mul(weights, bceWithLogits(logits, mask)), axes), tf.sum(weights, axes)) as tf.Tensor1D
    const prob = tf.sigmoid(logits)
    const inter = tf.sum(tf.mul(tf.mul(prob, mask), weights), axes)
    const union = tf.sum(tf.mul(tf.add(prob, mask), weights), axes)
    const weightedIou = tf.sub(1, tf.div(tf.add(inter, 1), tf.add(tf.sub(union, inter), 1))) as tf.Tensor1D
    return { weightedBce, weightedIou }
  })
}

/**
 * Inf-Net's structure loss L = L_wIoU + λ·L_wBCE (λ = 1), mean over the batch — the train code's
 * joint_loss. The BCE is weighted per pixel as the paper states. (The reference passes
 * reduce='none', which PyTorch reads as the deprecated reduce=True, so its BCE was in fact the
 * unweighted mean; the issue asks for the per-pixel weighting, done here.)
 *
 * @param logits [N, H, W, 1] prediction logits; mask [N, H, W, 1] in [0, 1], same size.
 */
export function structureLoss(logits: tf.Tensor4D, mask: tf.Tensor4D, weights?: tf.Tensor4D): tf.Scalar {
  return tf.tidy(() => {
    const { weightedBce, weightedIou } = structureLossTerms(logits, mask, weights)
    return tf.mean(tf.add(weightedBce, weightedIou)) as tf.Scalar
  })
}
