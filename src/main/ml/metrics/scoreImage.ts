/**
 * Scores one prediction map against its ground truth by Inf-Net's protocol (EvaluationTool/main.m):
 * resize the map to the ground truth if needed, min-max normalise it, then score the binarised map
 * (normalised ≥ threshold) at each of the 256 thresholds and the continuous map once.
 */
import { checkGreyImage, type GreyImage } from './greyImage'
import { groundTruthMask } from './groundTruthMask'
import { minMaxNormalise } from './normalise'
import { resizeBilinear } from './resizeBilinear'
import { thresholdCounts } from './thresholdCounts'
import { THRESHOLD_COUNT } from './thresholds'
import { overlapScores } from './overlapScores'
import { enhancedMeasure } from './enhancedMeasure'
import { structureMeasure } from './structureMeasure'
import { meanAbsoluteError } from './meanAbsoluteError'

export interface ImageScores {
  /** Per threshold, in PROTOCOL_THRESHOLDS order (1 down to 0). */
  readonly dice: Float64Array
  readonly sensitivity: Float64Array
  readonly specificity: Float64Array
  readonly eMeasure: Float64Array
  /** Of the continuous normalised map. */
  readonly sMeasure: number
  readonly mae: number
}

/** `label` names the pair in error messages (e.g. the file's base name). */
export function scoreImage(prediction: GreyImage, groundTruth: GreyImage, label = 'image'): ImageScores {
  checkGreyImage(prediction, `${label} (prediction)`)
  checkGreyImage(groundTruth, `${label} (ground truth)`)
  const { width, height } = groundTruth
  const resized = resizeBilinear(prediction, width, height)
  const map = minMaxNormalise(resized.data, `${label} (prediction)`)
  const mask = groundTruthMask(groundTruth)

  const counts = thresholdCounts(map, mask)
  const dice = new Float64Array(THRESHOLD_COUNT)
  const sensitivity = new Float64Array(THRESHOLD_COUNT)
  const specificity = new Float64Array(THRESHOLD_COUNT)
  const eMeasure = new Float64Array(THRESHOLD_COUNT)
  for (let k = 0; k < THRESHOLD_COUNT; k++) {
    const tp = counts.truePositives[k]
    const predicted = counts.predictedPositives[k]
    const overlap = overlapScores(tp, predicted, counts.foreground, counts.pixels)
    dice[k] = overlap.dice
    sensitivity[k] = overlap.sensitivity
    specificity[k] = overlap.specificity
    eMeasure[k] = enhancedMeasure(tp, predicted, counts.foreground, counts.pixels)
  }
  return {
    dice,
    sensitivity,
    specificity,
    eMeasure,
    sMeasure: structureMeasure(map, mask, width, height),
    mae: meanAbsoluteError(map, mask)
  }
}
