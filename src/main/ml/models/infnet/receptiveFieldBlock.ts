import * as tf from '@tensorflow/tfjs'
import { basicConv2d, convolution, type ForwardContext } from '../../nn/layers'

/**
 * Inf-Net's receptive-field block (RFB_modified, after Liu et al.'s RFB): four branches see the
 * input at growing receptive fields — a 1×1, and 1×k → k×1 → 3×3 dilated by k for k = 3, 5, 7 —
 * are concatenated, fused by a 3×3, and added to a 1×1 projection of the input. It reduces a deep
 * feature to `channels` (32) while keeping context at several scales for the decoder.
 */
export function receptiveFieldBlock(ctx: ForwardContext, name: string, x: tf.Tensor4D, channels: number): tf.Tensor4D {
  const branch0 = convolution(ctx, x, { ...basicConv2d(`${name}.branch0.0`), filters: channels, kernel: 1 })
  const branches = [branch0]
  for (const [i, k] of [
    [1, 3],
    [2, 5],
    [3, 7]
  ]) {
    let y = convolution(ctx, x, { ...basicConv2d(`${name}.branch${i}.0`), filters: channels, kernel: 1 })
    y = convolution(ctx, y, { ...basicConv2d(`${name}.branch${i}.1`), filters: channels, kernel: [1, k] })
    y = convolution(ctx, y, { ...basicConv2d(`${name}.branch${i}.2`), filters: channels, kernel: [k, 1] })
    y = convolution(ctx, y, { ...basicConv2d(`${name}.branch${i}.3`), filters: channels, kernel: 3, dilation: k })
    branches.push(y)
  }
  const fused = convolution(ctx, tf.concat(branches, 3), {
    ...basicConv2d(`${name}.conv_cat`),
    filters: channels,
    kernel: 3
  })
  const residual = convolution(ctx, x, { ...basicConv2d(`${name}.conv_res`), filters: channels, kernel: 1 })
  return tf.relu(tf.add<tf.Tensor4D>(fused, residual))
}
