/**
 * Per-image min-max normalisation of a prediction map to [0, 1] (MATLAB `mapminmax(x, 0, 1)`).
 * A constant map has no contrast to stretch and becomes all zeros: it carries no foreground
 * evidence, so it is scored like an empty prediction.
 */
import { MetricsInputError } from './metricsInputError'
import type { PixelArray } from './greyImage'

export function minMaxNormalise(data: PixelArray, what = 'prediction map'): Float64Array {
  let min = Infinity
  let max = -Infinity
  for (let i = 0; i < data.length; i++) {
    const v = data[i]
    if (!Number.isFinite(v)) throw new MetricsInputError(what, `pixel ${i} is ${v}, not a finite number`)
    if (v < min) min = v
    if (v > max) max = v
  }
  const out = new Float64Array(data.length)
  if (!(max > min)) return out
  const range = max - min
  // Division rather than multiplication by 1/range keeps v / 255 exact for 8-bit maps (see thresholds.ts).
  for (let i = 0; i < data.length; i++) out[i] = (data[i] - min) / range
  return out
}
