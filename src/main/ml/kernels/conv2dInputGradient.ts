import * as tf from '@tensorflow/tfjs'
import { cropForPadding, type ConvGeometry } from './convGeometry'

/**
 * Gradient of a 2D convolution with respect to its input, computed with one forward convolution
 * (the fast, multi-threaded kernel on wasm):
 *
 *   dx = conv2d(dy↑, rot180(W)ᵀ, dilation d, 'valid' after padding (k_eff − 1 − pad_top) on top)
 *
 * where rot180(W)ᵀ is the filter reversed spatially with its in/out channel axes swapped and dy↑
 * is dy with (stride − 1) zeros inserted between samples (dy itself at stride 1). This is also the
 * forward pass of a transposed convolution (conv2dTranspose ≡ Conv2DBackpropInput).
 *
 * Zero insertion wastes stride² of the multiply-adds on zeros; strided convolutions are few in our
 * models (none in the U-Net), so correctness and one code path are preferred here.
 */
export function conv2dInputGradient(dy: tf.Tensor4D, filter: tf.Tensor4D, g: ConvGeometry): tf.Tensor4D {
  return tf.tidy(() => {
    const stuffed = insertZeros(dy, g.strideHeight, g.strideWidth)
    const effectiveHeight = (g.filterHeight - 1) * g.dilationHeight + 1
    const effectiveWidth = (g.filterWidth - 1) * g.dilationWidth + 1
    const top = effectiveHeight - 1 - g.padTop
    const left = effectiveWidth - 1 - g.padLeft
    // Chosen so the 'valid' output is exactly the input size; rows of x that no window reached
    // (possible with strides or explicit padding) get the zero gradient they should.
    const bottom = g.inHeight + effectiveHeight - 1 - stuffed.shape[1] - top
    const right = g.inWidth + effectiveWidth - 1 - stuffed.shape[2] - left
    const { input, pad } = cropForPadding(stuffed, top, bottom, left, right)
    const flipped = tf.transpose(tf.reverse(filter, [0, 1]), [0, 1, 3, 2])
    return tf.conv2d(input, flipped, 1, pad, 'NHWC', [g.dilationHeight, g.dilationWidth])
  })
}

/**
 * dy with (s − 1) zeros after every sample along height and width: [n, h·sh, w·sw, c]. The
 * trailing zeros are harmless (the caller crops to the size it needs).
 */
export function insertZeros(dy: tf.Tensor4D, strideHeight: number, strideWidth: number): tf.Tensor4D {
  if (strideHeight === 1 && strideWidth === 1) return dy
  const [n, h, w, c] = dy.shape
  // A size-1 axis after each spatial axis, padded to the stride, then folded back: one copy.
  const spread = tf.pad(tf.reshape(dy, [n, h, 1, w, 1, c]), [
    [0, 0],
    [0, 0],
    [0, strideHeight - 1],
    [0, 0],
    [0, strideWidth - 1],
    [0, 0]
  ])
  return tf.reshape(spread, [n, h * strideHeight, w * strideWidth, c])
}
