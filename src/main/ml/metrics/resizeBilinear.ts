/**
 * Bilinear resampling of a grey map to another size, used when a prediction map does not have its
 * ground truth's size. Pixel centres are aligned (half-pixel convention, as OpenCV INTER_LINEAR and
 * PyTorch align_corners=false) and samples beyond the border repeat the edge pixel. No
 * anti-aliasing: predictions are smooth maps, usually upsampled.
 */
import type { GreyImage } from './greyImage'

interface Taps {
  lower: Int32Array
  upper: Int32Array
  weight: Float64Array
}

/** Source pixel pair and interpolation weight of the upper one for each destination index. */
function taps(sourceSize: number, targetSize: number): Taps {
  const lower = new Int32Array(targetSize)
  const upper = new Int32Array(targetSize)
  const weight = new Float64Array(targetSize)
  const scale = sourceSize / targetSize
  for (let i = 0; i < targetSize; i++) {
    const position = Math.min(Math.max((i + 0.5) * scale - 0.5, 0), sourceSize - 1)
    const l = Math.floor(position)
    lower[i] = l
    upper[i] = Math.min(l + 1, sourceSize - 1)
    weight[i] = position - l
  }
  return { lower, upper, weight }
}

export function resizeBilinear(image: GreyImage, width: number, height: number): GreyImage {
  if (image.width === width && image.height === height) return image
  const columns = taps(image.width, width)
  const rows = taps(image.height, height)
  const src = image.data
  const out = new Float64Array(width * height)
  for (let y = 0; y < height; y++) {
    const top = rows.lower[y] * image.width
    const bottom = rows.upper[y] * image.width
    const wy = rows.weight[y]
    for (let x = 0; x < width; x++) {
      const l = columns.lower[x]
      const r = columns.upper[x]
      const wx = columns.weight[x]
      const upperRow = src[top + l] + (src[top + r] - src[top + l]) * wx
      const lowerRow = src[bottom + l] + (src[bottom + r] - src[bottom + l]) * wx
      out[y * width + x] = upperRow + (lowerRow - upperRow) * wy
    }
  }
  return { width, height, data: out }
}
