/**
 * Ground truth as the protocol reads it: foreground where the grey value (0–255 scale) is above
 * 128, so anti-aliased or JPEG-compressed mask edges split at mid-grey.
 */
import type { GreyImage } from './greyImage'

export const GROUND_TRUTH_LEVEL = 128

/** 1 for foreground, 0 for background. */
export function groundTruthMask(groundTruth: GreyImage): Uint8Array {
  const { data } = groundTruth
  const mask = new Uint8Array(data.length)
  for (let i = 0; i < data.length; i++) mask[i] = data[i] > GROUND_TRUTH_LEVEL ? 1 : 0
  return mask
}
