/**
 * Inf-Net's evaluation protocol (EvaluationTool of github.com/DengPingFan/Inf-Net, after the
 * SINet/PraNet toolbox): Dice, sensitivity, specificity and E-measure averaged over 256 thresholds,
 * max Dice, S-measure and MAE; and the per-class figures of multi-class segmentation.
 */
export type { GreyImage, PixelArray } from './images'
export { MetricsInputError, pairImageFiles, readGreyImage, type ImagePair } from './images'
export { PROTOCOL_THRESHOLDS, THRESHOLD_COUNT } from './overlap'
export { scoreImage, summariseScores, thresholdCurves, evaluateFolders } from './evaluate'
export type { ImageScores, EvaluationSummary, ThresholdCurves, EvaluateFoldersOptions } from './evaluate'
export { structureMeasure } from './structure'
export { enhancedMeasure } from './enhanced'
export { CONSOLIDATION, GROUND_GLASS, classCounts, classDice, multiClassScores } from './multiClass'
export type { ClassCounts, MultiClassScores } from './multiClass'
