import * as tf from '@tensorflow/tfjs'
import { cropForPadding, type ConvGeometry } from './convGeometry'

/**
 * Gradient of a 2D convolution with respect to its filter, computed with one forward convolution:
 *
 *   dW[i, j, c, o] = Σ_{b, y, x} x_pad[b, y·s + i·d, x·s + j·d, c] · dy[b, y, x, o]
 *
 * is a convolution whose "batch" is the input-channel axis of x (x transposed to [c, h, w, b]),
 * whose "filter" is dy (transposed to [h_out, w_out, b, o]), with stride = the forward dilation
 * and dilation = the forward stride. tfjs never has both > 1, so neither does this convolution.
 * The input is cropped/padded to exactly the extent the windows read, so the result is exactly
 * [fh, fw] spatially.
 */
export function conv2dFilterGradient(x: tf.Tensor4D, dy: tf.Tensor4D, g: ConvGeometry): tf.Tensor4D {
  return tf.tidy(() => {
    const neededHeight = (g.filterHeight - 1) * g.dilationHeight + (g.outHeight - 1) * g.strideHeight + 1
    const neededWidth = (g.filterWidth - 1) * g.dilationWidth + (g.outWidth - 1) * g.strideWidth + 1
    const bottom = neededHeight - g.padTop - g.inHeight
    const right = neededWidth - g.padLeft - g.inWidth
    const { input, pad } = cropForPadding(x, g.padTop, bottom, g.padLeft, right)
    const channelsAsBatch = tf.transpose(input, [3, 1, 2, 0])
    const dyAsFilter = tf.transpose(dy, [1, 2, 0, 3])
    const grad = tf.conv2d(channelsAsBatch, dyAsFilter, [g.dilationHeight, g.dilationWidth], pad, 'NHWC', [
      g.strideHeight,
      g.strideWidth
    ])
    return tf.transpose(grad, [1, 2, 0, 3])
  })
}
