import * as tf from '@tensorflow/tfjs'

/**
 * Per-channel reductions and affine maps over NHWC tensors, chosen for the wasm backend's cost
 * model: a sum over the batch and spatial axes with tf.sum transposes the tensor first (the reduced
 * axes are not innermost), whereas a whole-image average pool reads it once in its native layout,
 * about ten times faster; and a per-channel scale + offset (+ ReLU) as a 1×1 depthwise convolution
 * is one threaded XNNPACK pass where broadcasting mul/add/relu are three. Both are ordinary kernels
 * of every backend.
 */

/** Σ over batch, height and width, per channel: [n, h, w, c] → [c]. */
export function channelSum(t: tf.Tensor4D): tf.Tensor1D {
  return tf.tidy(() => {
    const [n, h, w, c] = t.shape
    const perImage = tf.avgPool(t, [h, w], [h, w], 'valid')
    return tf.mul(tf.sum(tf.reshape(perImage, [n, c]), 0), h * w) as tf.Tensor1D
  })
}

/** Mean over batch, height and width, per channel. */
export function channelMean(t: tf.Tensor4D): tf.Tensor1D {
  return tf.tidy(() => {
    const [n, h, w, c] = t.shape
    return tf.mean(tf.reshape(tf.avgPool(t, [h, w], [h, w], 'valid'), [n, c]), 0) as tf.Tensor1D
  })
}

/**
 * x·scale + offset per channel, optionally followed by ReLU, in one kernel call. Runs the kernel
 * directly: the fused op falls back to separate ops whenever a gradient is being recorded, and the
 * callers (custom gradients) are not recorded anyway.
 */
export function channelAffine(
  x: tf.Tensor4D,
  scale: tf.Tensor1D,
  offset: tf.Tensor1D | null,
  relu: boolean
): tf.Tensor4D {
  return tf.tidy(() => {
    const c = x.shape[3]
    const filter = tf.reshape(scale, [1, 1, c, 1])
    const inputs: tf.NamedTensorMap = offset === null ? { x, filter } : { x, filter, bias: offset }
    return tf.engine().runKernel(tf.FusedDepthwiseConv2D, inputs, {
      strides: [1, 1],
      pad: 'valid',
      dataFormat: 'NHWC',
      dilations: [1, 1],
      activation: relu ? 'relu' : 'linear'
    }) as tf.Tensor4D
  })
}
