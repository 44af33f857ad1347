import * as tf from '@tensorflow/tfjs'
import { meanBceWithLogits } from './binaryCrossEntropy'
import { boundaryWeights, structureLoss } from './structureLoss'

/** The outputs the loss needs: Inf-Net's InfNetOutputs, logits at the ground truth's size. */
export interface InfNetPredictions {
  global: tf.Tensor4D
  s5: tf.Tensor4D
  s4: tf.Tensor4D
  s3: tf.Tensor4D
  edge: tf.Tensor4D
}

export interface InfNetLoss {
  /** What the optimizer minimises: the sum of the other five. */
  total: tf.Scalar
  global: tf.Scalar
  s5: tf.Scalar
  s4: tf.Scalar
  s3: tf.Scalar
  edge: tf.Scalar
}

/**
 * Inf-Net's training loss: the structure loss (weighted IoU + weighted BCE) of each of S_g, S_5,
 * S_4 and S_3 against the infection mask, plus the plain mean BCE of the edge map against the
 * edge mask (the deep supervision of the train code). The pixel weights depend only on the mask,
 * so they are computed once for the four maps.
 *
 * @param mask, edgeMask [N, H, W, 1] in [0, 1] at the outputs' size.
 */
export function infNetLoss(out: InfNetPredictions, mask: tf.Tensor4D, edgeMask: tf.Tensor4D): InfNetLoss {
  const weights = boundaryWeights(mask)
  const global = structureLoss(out.global, mask, weights)
  const s5 = structureLoss(out.s5, mask, weights)
  const s4 = structureLoss(out.s4, mask, weights)
  const s3 = structureLoss(out.s3, mask, weights)
  const edge = meanBceWithLogits(out.edge, edgeMask)
  weights.dispose()
  const total = tf.addN([global, s5, s4, s3, edge]) as tf.Scalar
  return { total, global, s5, s4, s3, edge }
}
