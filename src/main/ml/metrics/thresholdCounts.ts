/**
 * Confusion counts of the binarised map (normalised prediction ≥ threshold) at all 256 protocol
 * thresholds in one pass: each pixel is binned at the first threshold it reaches, and running sums
 * over the bins give the counts at every threshold. This is what makes the protocol affordable —
 * a pass per threshold would cost 256 passes per image.
 */
import { THRESHOLD_COUNT, firstThresholdReached } from './thresholds'

export interface ThresholdCounts {
  /** Pixels in the image. */
  readonly pixels: number
  /** Ground-truth foreground pixels (TP + FN). */
  readonly foreground: number
  /** Per threshold: predicted foreground pixels that are ground-truth foreground (TP). */
  readonly truePositives: Float64Array
  /** Per threshold: all predicted foreground pixels (TP + FP). */
  readonly predictedPositives: Float64Array
}

/** `normalised` holds values in [0, 1]; `mask` is 1 on ground-truth foreground. */
export function thresholdCounts(normalised: Float64Array, mask: Uint8Array): ThresholdCounts {
  const truePositives = new Float64Array(THRESHOLD_COUNT)
  const predictedPositives = new Float64Array(THRESHOLD_COUNT)
  let foreground = 0
  for (let i = 0; i < normalised.length; i++) {
    const k = firstThresholdReached(normalised[i])
    predictedPositives[k]++
    if (mask[i] === 1) {
      truePositives[k]++
      foreground++
    }
  }
  for (let k = 1; k < THRESHOLD_COUNT; k++) {
    truePositives[k] += truePositives[k - 1]
    predictedPositives[k] += predictedPositives[k - 1]
  }
  return { pixels: normalised.length, foreground, truePositives, predictedPositives }
}
