import * as tf from '@tensorflow/tfjs'

/**
 * Bilinear resampling with PyTorch's F.interpolate(mode='bilinear', align_corners=False) geometry
 * (half-pixel centres, source index clamped at 0), which is what Inf-Net uses between its maps.
 *
 * tf.image.resizeBilinear computes the same forward values with halfPixelCenters, but the cpu and
 * wasm ResizeBilinearGrad kernels ignore halfPixelCenters, so their gradients would belong to a
 * different (shifted) resampling. Expressing the resampling as two small matrix products makes the
 * gradient exact on every backend; the maps resampled here are one channel or a few dozen, so the
 * cost is negligible. At inference (`training` false) tf.image.resizeBilinear does it in one kernel.
 */
export function interpolateBilinear(x: tf.Tensor4D, height: number, width: number, training = true): tf.Tensor4D {
  const [n, h, w, c] = x.shape
  if (h === height && w === width) return x
  // without a gradient to get right, the backend's own kernel: one op instead of four transposes
  // and two products (same values to float rounding)
  if (!training) return tf.image.resizeBilinear(x, [height, width], false, true)
  return tf.tidy(() => {
    let y: tf.Tensor4D = x
    if (h !== height) {
      const a = interpolationMatrix(h, height)
      // rows last: [N, W, C, H] → ·Aᵀ → [N, W, C, H'] → back to NHWC
      const rows = tf.reshape(tf.transpose(y, [0, 2, 3, 1]), [n * w * c, h])
      y = tf.transpose(tf.reshape(tf.matMul(rows, a, false, true), [n, w, c, height]), [0, 3, 1, 2])
    }
    if (w !== width) {
      const a = interpolationMatrix(w, width)
      // columns last: [N, H', C, W] → ·Aᵀ → [N, H', C, W'] → back to NHWC
      const cols = tf.reshape(tf.transpose(y, [0, 1, 3, 2]), [n * height * c, w])
      y = tf.transpose(tf.reshape(tf.matMul(cols, a, false, true), [n, height, c, width]), [0, 1, 3, 2])
    }
    return y
  })
}

/** The [out, in] matrix of 1-D linear interpolation with half-pixel centres (PyTorch's rule). */
export function interpolationMatrix(inSize: number, outSize: number): tf.Tensor2D {
  const m = new Float32Array(outSize * inSize)
  const scale = inSize / outSize
  for (let d = 0; d < outSize; d++) {
    const src = Math.max(scale * (d + 0.5) - 0.5, 0)
    const i0 = Math.min(Math.floor(src), inSize - 1)
    const i1 = Math.min(i0 + 1, inSize - 1)
    const l1 = src - i0
    m[d * inSize + i0] += 1 - l1
    m[d * inSize + i1] += l1
  }
  return tf.tensor2d(m, [outSize, inSize])
}

/**
 * nn.Upsample(scale_factor, mode='bilinear', align_corners=True), used by the partial decoder;
 * align-corners resampling has correct gradients in every tfjs backend.
 */
export function upsampleAlignCorners(x: tf.Tensor4D, factor: number): tf.Tensor4D {
  return tf.image.resizeBilinear(x, [x.shape[1] * factor, x.shape[2] * factor], true)
}
