/**
 * The protocol's thresholds and the scores of a binarised map that follow from confusion counts:
 * Dice, sensitivity, specificity; and the mean absolute error of the continuous map.
 */

/**
 * MATLAB's eps (2⁻⁵²). The reference toolbox adds it to denominators; the same constant here keeps
 * scores identical to the published code's, including in its degenerate cases.
 */
export const MATLAB_EPS = 2 ** -52

/**
 * The protocol's 256 binarisation thresholds, from 1 down to 0 (MATLAB `1:-1/255:0`, i.e.
 * linspace(1, 0, 256)).
 *
 * Each is computed as (255 − k) / 255 rather than by repeated subtraction: an 8-bit prediction
 * with levels 0 and 255 normalises to exactly v / 255, so level v then passes threshold v / 255
 * exactly, instead of that tie being settled by last-bit rounding noise as in MATLAB's colon.
 */
export const THRESHOLD_COUNT = 256

export const PROTOCOL_THRESHOLDS: Float64Array = Float64Array.from(
  { length: THRESHOLD_COUNT },
  (_, k) => (THRESHOLD_COUNT - 1 - k) / (THRESHOLD_COUNT - 1)
)

/**
 * Index of the first (largest) threshold a normalised value in [0, 1] reaches (value ≥ t); the
 * value is then foreground at that index and every later one. The estimate from the grid is
 * corrected against the stored thresholds so the answer is exactly `value >= PROTOCOL_THRESHOLDS[k]`.
 */
export function firstThresholdReached(value: number): number {
  const last = THRESHOLD_COUNT - 1
  let k = last - Math.floor(value * last)
  if (k < 0) k = 0
  if (k > last) k = last
  while (k > 0 && value >= PROTOCOL_THRESHOLDS[k - 1]) k--
  while (k < last && value < PROTOCOL_THRESHOLDS[k]) k++
  return k
}

/**
 * Confusion counts of the binarised map (normalised prediction ≥ threshold) at all 256 protocol
 * thresholds in one pass: each pixel is binned at the first threshold it reaches, and running sums
 * over the bins give the counts at every threshold. This is what makes the protocol affordable —
 * a pass per threshold would cost 256 passes per image.
 */
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

/**
 * Dice, sensitivity and specificity of one binarised map, as Inf-Net's Fmeasure_calu.m computes
 * them. A threshold with no true positive scores 0 on all three — specificity included, even when
 * every background pixel is right — because the reference does so and published figures depend on it.
 * One departure: with no background at all (an all-foreground ground truth) the reference's
 * specificity is 0/0 = NaN, which would poison the set's mean; here it is 1, as no false positive
 * is possible.
 */
export interface OverlapScores {
  dice: number
  sensitivity: number
  specificity: number
}

export function overlapScores(
  truePositives: number,
  predictedPositives: number,
  foreground: number,
  pixels: number
): OverlapScores {
  if (truePositives === 0) return { dice: 0, sensitivity: 0, specificity: 0 }
  const falsePositives = predictedPositives - truePositives
  const falseNegatives = foreground - truePositives
  const trueNegatives = pixels - predictedPositives - falseNegatives
  return {
    dice: (2 * truePositives) / (foreground + predictedPositives),
    sensitivity: truePositives / foreground,
    specificity: foreground === pixels ? 1 : trueNegatives / (trueNegatives + falsePositives)
  }
}

/** Mean absolute error between the normalised prediction and the binary ground truth (MATLAB mean2(abs(gt − map))). */
export function meanAbsoluteError(normalised: Float64Array, mask: Uint8Array): number {
  let sum = 0
  for (let i = 0; i < normalised.length; i++) sum += Math.abs(mask[i] - normalised[i])
  return sum / normalised.length
}
