import { MATLAB_EPS } from './overlap'

/**
 * Enhanced-alignment measure E_φ (Fan et al., IJCAI 2018) of a binary foreground map, exactly as
 * the toolbox's Enhancedmeasure.m: bias matrices about the global means, alignment
 * ξ = 2·a·b / (a² + b² + eps), enhanced (ξ + 1)² / 4, summed and divided by (w·h − 1 + eps).
 *
 * With a binary map and binary ground truth each pixel is one of TP, FP, FN, TN, and all pixels of
 * a kind share one enhanced value, so the sum is four products of counts — no per-pixel pass.
 * Special cases as in the reference: all-background ground truth scores the map's background
 * pixels, all-foreground ground truth its foreground pixels. The w·h − 1 denominator is the
 * reference's, which is why a perfect map scores N / (N − 1), a hair above 1.
 */
function enhancedAlignment(mapBias: number, truthBias: number): number {
  const alignment = (2 * mapBias * truthBias) / (mapBias * mapBias + truthBias * truthBias + MATLAB_EPS)
  return ((alignment + 1) * (alignment + 1)) / 4
}

export function enhancedMeasure(
  truePositives: number,
  predictedPositives: number,
  foreground: number,
  pixels: number
): number {
  const denominator = pixels - 1 + MATLAB_EPS
  if (foreground === 0) return (pixels - predictedPositives) / denominator
  if (foreground === pixels) return predictedPositives / denominator

  const falsePositives = predictedPositives - truePositives
  const falseNegatives = foreground - truePositives
  const trueNegatives = pixels - predictedPositives - falseNegatives
  const mapMean = predictedPositives / pixels
  const truthMean = foreground / pixels
  const sum =
    truePositives * enhancedAlignment(1 - mapMean, 1 - truthMean) +
    falsePositives * enhancedAlignment(1 - mapMean, -truthMean) +
    falseNegatives * enhancedAlignment(-mapMean, 1 - truthMean) +
    trueNegatives * enhancedAlignment(-mapMean, -truthMean)
  return sum / denominator
}
