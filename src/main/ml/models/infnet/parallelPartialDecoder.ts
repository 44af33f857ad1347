import * as tf from '@tensorflow/tfjs'
import { basicConv2d, convolution, type ForwardContext } from '../../nn/layers'
import { upsampleAlignCorners } from './interpolate'

/**
 * The parallel partial decoder (Inf-Net's `aggregation`, from Wu et al.'s cascaded partial
 * decoder): only the three high-level features are aggregated — low-level ones cost much at high
 * resolution and add little to locating the infection. Deeper features gate shallower ones by
 * element-wise products, then the concatenated features are fused into the global map S_g (logits)
 * at the resolution of `f3` (1/8).
 *
 * @param f5 RFB output of layer4 (1/32)
 * @param f4 RFB output of layer3 (1/16)
 * @param f3 RFB output of layer2 (1/8)
 */
export function parallelPartialDecoder(
  ctx: ForwardContext,
  name: string,
  f5: tf.Tensor4D,
  f4: tf.Tensor4D,
  f3: tf.Tensor4D,
  outChannels = 1
): tf.Tensor4D {
  const c = f5.shape[3]
  const up = (t: tf.Tensor4D): tf.Tensor4D => upsampleAlignCorners(t, 2)
  const bc = (n: string, t: tf.Tensor4D, filters: number): tf.Tensor4D =>
    convolution(ctx, t, { ...basicConv2d(`${name}.${n}`), filters, kernel: 3 })

  const f4Gated = tf.mul<tf.Tensor4D>(bc('conv_upsample1', up(f5), c), f4)
  const f3Gated = tf.mul<tf.Tensor4D>(tf.mul(bc('conv_upsample2', up(up(f5)), c), bc('conv_upsample3', up(f4), c)), f3)
  const mid = bc('conv_concat2', tf.concat([f4Gated, bc('conv_upsample4', up(f5), c)], 3), 2 * c)
  const top = bc('conv_concat3', tf.concat([f3Gated, bc('conv_upsample5', up(mid), 2 * c)], 3), 3 * c)
  return convolution(ctx, bc('conv4', top, 3 * c), { conv: `${name}.conv5`, filters: outChannels, kernel: 1 })
}
