import * as tf from '@tensorflow/tfjs'
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm'

/**
 * MaxPoolGrad for the wasm backend, replacing the package's, whose running maximum starts at
 * FLT_MIN (the smallest positive float) instead of −∞: a window whose values are all ≤ 0 — common
 * after ReLU — passes its gradient to the wrong element or to none.
 *
 * Semantics are tfjs's (as the cpu backend): each output's gradient goes to the first maximum of
 * its window in row-major order; overlapping windows accumulate; padding receives nothing. The loop
 * runs in JavaScript directly on the wasm heap: one pass over the input, no temporaries.
 */
export function maxPoolGradKernel(args: {
  inputs: tf.NamedTensorInfoMap
  backend: unknown
  attrs?: tf.NamedAttrMap
}): tf.TensorInfo {
  const backend = args.backend as BackendWasm
  const { dy, input } = args.inputs
  if (dy === undefined || input === undefined) throw new Error('MaxPoolGrad: inputs dy and input are required')
  const attrs = args.attrs as unknown as tf.MaxPoolGradAttrs
  const info = tf.backend_util.computePool2DInfo(
    input.shape as [number, number, number, number],
    attrs.filterSize,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode
  )
  const out = backend.makeOutput(input.shape, 'float32')
  // Views are taken after the last allocation: growing wasm memory detaches older views.
  const dx = backend.typedArrayFromHeap(out) as Float32Array
  const x = backend.typedArrayFromHeap(input) as Float32Array
  const g = backend.typedArrayFromHeap(dy) as Float32Array
  dx.fill(0)

  const { batchSize, inHeight, inWidth, inChannels: channels, outHeight, outWidth } = info
  const { strideHeight, strideWidth, effectiveFilterHeight, effectiveFilterWidth, dilationHeight, dilationWidth } = info
  const top = info.padInfo.top
  const left = info.padInfo.left
  const rowStride = inWidth * channels
  const imageStride = inHeight * rowStride
  let o = 0
  for (let b = 0; b < batchSize; b++) {
    const image = b * imageStride
    for (let oy = 0; oy < outHeight; oy++) {
      const y0 = oy * strideHeight - top
      for (let ox = 0; ox < outWidth; ox++) {
        const x0 = ox * strideWidth - left
        for (let c = 0; c < channels; c++, o++) {
          let best = -Infinity
          let bestAt = -1
          for (let wy = 0; wy < effectiveFilterHeight; wy += dilationHeight) {
            const y = y0 + wy
            if (y < 0 || y >= inHeight) continue
            const row = image + y * rowStride + c
            for (let wx = 0; wx < effectiveFilterWidth; wx += dilationWidth) {
              const xx = x0 + wx
              if (xx < 0 || xx >= inWidth) continue
              const at = row + xx * channels
              if (x[at] > best) {
                best = x[at]
                bestAt = at
              }
            }
          }
          if (bestAt >= 0) dx[bestAt] += g[o]
        }
      }
    }
  }
  return out
}
