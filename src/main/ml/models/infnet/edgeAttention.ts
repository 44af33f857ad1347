import * as tf from '@tensorflow/tfjs'
import { basicConv2d, convolution, type ForwardContext } from '../../nn/layers'

export interface EdgeAttention {
  /** Edge features (1/4 resolution) that every reverse-attention module concatenates. */
  features: tf.Tensor4D
  /** Edge map logits at 1/4 resolution, supervised by the edge ground truth. */
  edge: tf.Tensor4D
}

/**
 * Inf-Net's explicit edge attention: the low-level layer1 features keep boundaries sharp, so a few
 * convolutions on them, supervised by an edge map, yield features that tell each reverse-attention
 * module where the infection's boundary is. As in the reference these convolutions have no
 * activation between them (its BasicConv2d omits the ReLU).
 */
export function edgeAttention(ctx: ForwardContext, name: string, x1: tf.Tensor4D, channels: number): EdgeAttention {
  let y = convolution(ctx, x1, { ...basicConv2d(`${name}_conv1`), filters: channels, kernel: 1 })
  y = convolution(ctx, y, { ...basicConv2d(`${name}_conv2`), filters: channels, kernel: 3 })
  const features = convolution(ctx, y, { ...basicConv2d(`${name}_conv3`), filters: channels, kernel: 3 })
  const edge = convolution(ctx, features, { ...basicConv2d(`${name}_conv4`), filters: 1, kernel: 3 })
  return { features, edge }
}
