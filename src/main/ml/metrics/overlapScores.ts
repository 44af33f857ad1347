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
