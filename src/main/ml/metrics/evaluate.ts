/** Scoring one image, summarising a set, and evaluating two folders: Inf-Net's protocol end to end. */
import { enhancedMeasure } from './enhanced'
import { checkGreyImage, groundTruthMask, minMaxNormalise, resizeBilinear, MetricsInputError, pairImageFiles, readGreyImage, type GreyImage } from './images'
import { thresholdCounts, THRESHOLD_COUNT, overlapScores, meanAbsoluteError } from './overlap'
import { structureMeasure } from './structure'

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

/**
 * Scores one prediction map against its ground truth by Inf-Net's protocol (EvaluationTool/main.m):
 * resize the map to the ground truth if needed, min-max normalise it, then score the binarised map
 * (normalised ≥ threshold) at each of the 256 thresholds and the continuous map once.
 * `label` names the pair in error messages (e.g. the file's base name).
 */
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

/**
 * Aggregation of per-image scores as main.m does it: each threshold's score is averaged over the
 * images (a curve over thresholds), then the curve is averaged over thresholds — and for Dice also
 * maximised, which is the best single threshold for the whole set, not per image. S-measure and MAE
 * are plain means over images.
 */
/** The figures `pulmo evaluate` prints, in its key order. */
export interface EvaluationSummary {
  images: number
  dice: number
  sensitivity: number
  specificity: number
  sMeasure: number
  eMeasure: number
  mae: number
  maxDice: number
}

/** Per-threshold means over images, in PROTOCOL_THRESHOLDS order. */
export interface ThresholdCurves {
  dice: Float64Array
  sensitivity: Float64Array
  specificity: Float64Array
  eMeasure: Float64Array
}

type CurveName = keyof ThresholdCurves

function meanCurve(scores: readonly ImageScores[], name: CurveName): Float64Array {
  const curve = new Float64Array(THRESHOLD_COUNT)
  for (const image of scores) {
    const values = image[name]
    for (let k = 0; k < THRESHOLD_COUNT; k++) curve[k] += values[k]
  }
  for (let k = 0; k < THRESHOLD_COUNT; k++) curve[k] /= scores.length
  return curve
}

function mean(values: ArrayLike<number>): number {
  let sum = 0
  for (let i = 0; i < values.length; i++) sum += values[i]
  return sum / values.length
}

function requireImages(scores: readonly ImageScores[]): void {
  if (scores.length === 0) throw new MetricsInputError('evaluation', 'there are no images to score')
}

export function thresholdCurves(scores: readonly ImageScores[]): ThresholdCurves {
  requireImages(scores)
  return {
    dice: meanCurve(scores, 'dice'),
    sensitivity: meanCurve(scores, 'sensitivity'),
    specificity: meanCurve(scores, 'specificity'),
    eMeasure: meanCurve(scores, 'eMeasure')
  }
}

export function summariseScores(scores: readonly ImageScores[]): EvaluationSummary {
  const curves = thresholdCurves(scores)
  return {
    images: scores.length,
    dice: mean(curves.dice),
    sensitivity: mean(curves.sensitivity),
    specificity: mean(curves.specificity),
    sMeasure: mean(scores.map((s) => s.sMeasure)),
    eMeasure: mean(curves.eMeasure),
    mae: mean(scores.map((s) => s.mae)),
    maxDice: Math.max(...curves.dice)
  }
}

/**
 * `pulmo evaluate --pred DIR --gt DIR`: scores every prediction map in one folder against the
 * ground truth of the same base name in another and summarises the set by Inf-Net's protocol.
 * Images are decoded and scored one at a time, so memory stays at one pair whatever the set size.
 */
export interface EvaluateFoldersOptions {
  /** Called after each scored image, e.g. for a progress line. */
  onImage?: (name: string, done: number, total: number) => void
}

export async function evaluateFolders(
  predDir: string,
  gtDir: string,
  options: EvaluateFoldersOptions = {}
): Promise<EvaluationSummary> {
  const pairs = await pairImageFiles(predDir, gtDir)
  const scores: ImageScores[] = []
  for (const pair of pairs) {
    const prediction = await readGreyImage(pair.prediction)
    const groundTruth = await readGreyImage(pair.groundTruth)
    scores.push(scoreImage(prediction, groundTruth, pair.prediction))
    options.onImage?.(pair.name, scores.length, pairs.length)
  }
  return summariseScores(scores)
}
