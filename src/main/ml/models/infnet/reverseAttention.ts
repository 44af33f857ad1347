import * as tf from '@tensorflow/tfjs'
import { basicConv2d, convolution, type ForwardContext } from '../../nn/layers'
import { interpolateBilinear } from './interpolate'

export interface ReverseAttentionSpec {
  /** Channels of the module's convolutions (256 for ra4, 64 for ra3/ra2 in the paper). */
  width: number
  /** Kernel of the hidden convolutions (5 for ra4, 3 for ra3/ra2). */
  kernel: number
  /** Hidden conv → BN → ReLU layers after the concatenation (3 for ra4, 2 for ra3/ra2). */
  hidden: number
  /** Kernel of the final one-channel convolution (1 for ra4, 3 for ra3/ra2). */
  outKernel: number
}

/**
 * Reverse attention (Inf-Net, after Chen et al.): the coarser map's logits S are resampled to the
 * feature's resolution and turned into the weight 1 − σ(S), which is large where the infection is
 * NOT yet predicted. Erasing the found region makes the module mine missing parts and boundaries.
 * The weighted feature, reduced by a 1×1, is concatenated with the edge-attention features, and
 * the module's one-channel output is added to the resampled S: the finer map is a residual.
 *
 * @returns the refined logits at the feature's resolution.
 */
export function reverseAttention(
  ctx: ForwardContext,
  name: string,
  feature: tf.Tensor4D,
  coarse: tf.Tensor4D,
  edgeFeatures: tf.Tensor4D,
  spec: ReverseAttentionSpec
): tf.Tensor4D {
  const [, h, w] = feature.shape
  const prior = interpolateBilinear(coarse, h, w, ctx.training)
  const reverse = tf.sub(1, tf.sigmoid(prior))
  const attended = tf.mul<tf.Tensor4D>(reverse, feature)
  let y = tf.concat(
    [
      convolution(ctx, attended, { ...basicConv2d(`${name}_conv1`), filters: spec.width, kernel: 1 }),
      interpolateBilinear(edgeFeatures, h, w, ctx.training)
    ],
    3
  )
  for (let i = 0; i < spec.hidden; i++) {
    y = convolution(ctx, y, {
      ...basicConv2d(`${name}_conv${i + 2}`),
      filters: spec.width,
      kernel: spec.kernel,
      act: 'relu'
    })
  }
  const residual = convolution(ctx, y, {
    ...basicConv2d(`${name}_conv${spec.hidden + 2}`),
    filters: 1,
    kernel: spec.outKernel
  })
  return tf.add<tf.Tensor4D>(residual, prior)
}
