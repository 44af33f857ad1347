import * as tf from '@tensorflow/tfjs'

/**
 * PyTorch's MaxPool2d(kernel, stride, padding): padded cells never win (they act as −∞), which is
 * how tfjs treats explicit pool padding too, so the numeric pad maps directly.
 */
export function maxPoolPadded(x: tf.Tensor4D, kernel: number, stride: number, padding: number): tf.Tensor4D {
  return tf.maxPool(x, kernel, stride, padding)
}

/**
 * PyTorch's AvgPool2d(kernel, stride, padding) with its default count_include_pad=True: padded
 * zeros count in the divisor. tfjs pools exclude padding from the count, so the zeros are padded
 * explicitly and the pool runs 'valid'.
 */
export function avgPoolCountingPad(x: tf.Tensor4D, kernel: number, stride: number, padding: number): tf.Tensor4D {
  const padded =
    padding > 0
      ? tf.pad(x, [
          [0, 0],
          [padding, padding],
          [padding, padding],
          [0, 0]
        ])
      : x
  return tf.avgPool(padded, kernel, stride, 'valid')
}
