/**
 * Aggregation of per-image scores as main.m does it: each threshold's score is averaged over the
 * images (a curve over thresholds), then the curve is averaged over thresholds — and for Dice also
 * maximised, which is the best single threshold for the whole set, not per image. S-measure and MAE
 * are plain means over images.
 */
import { MetricsInputError } from './metricsInputError'
import type { ImageScores } from './scoreImage'
import { THRESHOLD_COUNT } from './thresholds'

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
