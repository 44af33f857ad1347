/**
 * Inf-Net's evaluation protocol (EvaluationTool of github.com/DengPingFan/Inf-Net, after the
 * SINet/PraNet toolbox): Dice, sensitivity, specificity and E-measure averaged over 256 thresholds,
 * max Dice, S-measure and MAE.
 */
export type { GreyImage, PixelArray } from './greyImage'
export { MetricsInputError } from './metricsInputError'
export { PROTOCOL_THRESHOLDS, THRESHOLD_COUNT } from './thresholds'
export { scoreImage, type ImageScores } from './scoreImage'
export { summariseScores, thresholdCurves, type EvaluationSummary, type ThresholdCurves } from './summariseScores'
export { evaluateFolders, type EvaluateFoldersOptions } from './evaluateFolders'
export { pairImageFiles, type ImagePair } from './pairImageFiles'
export { readGreyImage } from './readGreyImage'
export { structureMeasure } from './structureMeasure'
export { enhancedMeasure } from './enhancedMeasure'
