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
