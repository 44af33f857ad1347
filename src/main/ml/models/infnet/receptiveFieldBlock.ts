import * as tf from '@tensorflow/tfjs'
import { basicConv2d, type ModelContext } from './conv'

/**
 * Inf-Net's receptive-field block (RFB_modified, after Liu et al.'s RFB): four branches see the
 * input at growing receptive fields — a 1×1, and 1×k → k×1 → 3×3 dilated by k for k = 3, 5, 7 —
 * are concatenated, fused by a 3×3, and added to a 1×1 projection of the input. It reduces a deep
 * feature to `channels` (32) while keeping context at several scales for the decoder.
 */
export function receptiveFieldBlock(ctx: ModelContext, name: string, x: tf.Tensor4D, channels: number): tf.Tensor4D {
  const branch0 = basicConv2d(ctx, `${name}.branch0.0`, x, { filters: channels, kernel: 1 })
  const branches = [branch0]
  for (const [i, k] of [
    [1, 3],
    [2, 5],
    [3, 7]
  ]) {
    let y = basicConv2d(ctx, `${name}.branch${i}.0`, x, { filters: channels, kernel: 1 })
    y = basicConv2d(ctx, `${name}.branch${i}.1`, y, { filters: channels, kernel: [1, k] })
    y = basicConv2d(ctx, `${name}.branch${i}.2`, y, { filters: channels, kernel: [k, 1] })
    y = basicConv2d(ctx, `${name}.branch${i}.3`, y, { filters: channels, kernel: 3, dilation: k })
    branches.push(y)
  }
  const fused = basicConv2d(ctx, `${name}.conv_cat`, tf.concat(branches, 3), { filters: channels, kernel: 3 })
  const residual = basicConv2d(ctx, `${name}.conv_res`, x, { filters: channels, kernel: 1 })
  return tf.relu(tf.add<tf.Tensor4D>(fused, residual))
}
