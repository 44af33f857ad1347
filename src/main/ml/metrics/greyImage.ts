/**
 * The image shape every metric works on: one grey channel, row-major (x fastest), top row first.
 * Predictions may be 8-bit (0–255), 16-bit or floating point, since the protocol min-max
 * normalises them; ground truth is read on the 0–255 scale because its foreground is grey > 128.
 */
import { MetricsInputError } from './metricsInputError'

export type PixelArray =
  Uint8Array | Uint8ClampedArray | Uint16Array | Int16Array | Int32Array | Float32Array | Float64Array

export interface GreyImage {
  readonly width: number
  readonly height: number
  readonly data: PixelArray
}

/** Rejects an image whose buffer does not hold exactly width × height pixels. */
export function checkGreyImage(image: GreyImage, what: string): void {
  const { width, height, data } = image
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new MetricsInputError(what, `size ${width}×${height} is not a positive whole number of pixels`)
  }
  if (data.length !== width * height) {
    throw new MetricsInputError(what, `holds ${data.length} values, ${width}×${height} needs ${width * height}`)
  }
}
