/** Mean absolute error between the normalised prediction and the binary ground truth (MATLAB mean2(abs(gt − map))). */
export function meanAbsoluteError(normalised: Float64Array, mask: Uint8Array): number {
  let sum = 0
  for (let i = 0; i < normalised.length; i++) sum += Math.abs(mask[i] - normalised[i])
  return sum / normalised.length
}
