/**
 * The object-aware half of the S-measure (Fan et al., ICCV 2017; S_object.m): how uniformly and how
 * strongly the map covers the foreground, and its complement the background, each scored
 * 2·x̄ / (x̄² + 1 + σ + eps) with σ the sample standard deviation (MATLAB std, N − 1), then
 * weighted by the foreground fraction.
 */
import { MATLAB_EPS } from './matlabEps'

/** Score of the values `map` (or 1 − map when `complement`) takes where mask equals `label`. */
function objectScore(map: Float64Array, mask: Uint8Array, label: 0 | 1, complement: boolean): number {
  let count = 0
  let sum = 0
  for (let i = 0; i < map.length; i++) {
    if (mask[i] !== label) continue
    sum += complement ? 1 - map[i] : map[i]
    count++
  }
  if (count === 0) return 0
  const mean = sum / count
  let squares = 0
  for (let i = 0; i < map.length; i++) {
    if (mask[i] !== label) continue
    const d = (complement ? 1 - map[i] : map[i]) - mean
    squares += d * d
  }
  // MATLAB's std of a single value is 0, not 0/0.
  const deviation = count > 1 ? Math.sqrt(squares / (count - 1)) : 0
  return (2 * mean) / (mean * mean + 1 + deviation + MATLAB_EPS)
}

export function structureObject(map: Float64Array, mask: Uint8Array): number {
  let foreground = 0
  for (let i = 0; i < mask.length; i++) foreground += mask[i]
  const share = foreground / mask.length
  return share * objectScore(map, mask, 1, false) + (1 - share) * objectScore(map, mask, 0, true)
}
