/** The structure measure S_α and its object- and region-aware halves. */
import { MATLAB_EPS } from './overlap'

/**
 * Structure measure S_α (Fan et al., ICCV 2017; StructureMeasure.m) of the continuous normalised
 * map: α = 0.5 object-aware plus 0.5 region-aware similarity, floored at 0. An all-background
 * ground truth scores 1 − mean(map) and an all-foreground one mean(map), since the object and
 * region terms are undefined without both classes.
 */
export const STRUCTURE_ALPHA = 0.5

function mean(values: Float64Array): number {
  let sum = 0
  for (let i = 0; i < values.length; i++) sum += values[i]
  return sum / values.length
}

export function structureMeasure(map: Float64Array, mask: Uint8Array, width: number, height: number): number {
  let foreground = 0
  for (let i = 0; i < mask.length; i++) foreground += mask[i]
  if (foreground === 0) return 1 - mean(map)
  if (foreground === mask.length) return mean(map)
  const score =
    STRUCTURE_ALPHA * structureObject(map, mask) + (1 - STRUCTURE_ALPHA) * structureRegion(map, mask, width, height)
  return Math.max(score, 0)
}

/**
 * The object-aware half of the S-measure (Fan et al., ICCV 2017; S_object.m): how uniformly and how
 * strongly the map covers the foreground, and its complement the background, each scored
 * 2·x̄ / (x̄² + 1 + σ + eps) with σ the sample standard deviation (MATLAB std, N − 1), then
 * weighted by the foreground fraction.
 */
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

/**
 * The region-aware half of the S-measure (S_region.m): the image is cut into four blocks at the
 * ground truth's rounded centroid, each block is compared with an SSIM-like index, and the blocks
 * are weighted by their area.
 *
 * The centroid is MATLAB's: 1-based, rounded half away from zero, and it is the number of columns
 * (rows) in the left (top) blocks. It can fall on the last column or row, leaving blocks of zero
 * area; the reference then averages an empty block into NaN, here such a block simply weighs
 * nothing (its weight is 0 anyway).
 */
interface Block {
  x0: number
  x1: number
  y0: number
  y1: number
}

/** Columns and rows left of / above the cut, 1-based as in centroid() of S_region.m. */
function centroid(mask: Uint8Array, width: number, height: number): { x: number; y: number } {
  let total = 0
  let columnSum = 0
  let rowSum = 0
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (mask[y * width + x] === 0) continue
      total++
      columnSum += x + 1
      rowSum += y + 1
    }
  }
  if (total === 0) return { x: Math.round(width / 2), y: Math.round(height / 2) }
  // Coordinates are positive, so Math.round (half up) equals MATLAB's half-away-from-zero.
  return { x: Math.round(columnSum / total), y: Math.round(rowSum / total) }
}

/** The ssim() of S_region.m over one block; the block is not empty. */
function blockSimilarity(map: Float64Array, mask: Uint8Array, width: number, b: Block): number {
  const n = (b.x1 - b.x0) * (b.y1 - b.y0)
  let mapSum = 0
  let truthSum = 0
  for (let y = b.y0; y < b.y1; y++) {
    for (let x = b.x0; x < b.x1; x++) {
      mapSum += map[y * width + x]
      truthSum += mask[y * width + x]
    }
  }
  const mapMean = mapSum / n
  const truthMean = truthSum / n
  let mapVar = 0
  let truthVar = 0
  let covariance = 0
  for (let y = b.y0; y < b.y1; y++) {
    for (let x = b.x0; x < b.x1; x++) {
      const dm = map[y * width + x] - mapMean
      const dt = mask[y * width + x] - truthMean
      mapVar += dm * dm
      truthVar += dt * dt
      covariance += dm * dt
    }
  }
  const norm = n - 1 + MATLAB_EPS
  mapVar /= norm
  truthVar /= norm
  covariance /= norm
  const alpha = 4 * mapMean * truthMean * covariance
  const beta = (mapMean * mapMean + truthMean * truthMean) * (mapVar + truthVar)
  if (alpha !== 0) return alpha / (beta + MATLAB_EPS)
  // Both zero means two constant blocks (e.g. an empty map over empty truth): a perfect match.
  return beta === 0 ? 1 : 0
}

export function structureRegion(map: Float64Array, mask: Uint8Array, width: number, height: number): number {
  const { x, y } = centroid(mask, width, height)
  const area = width * height
  const weighted: Array<[Block, number]> = [
    [{ x0: 0, x1: x, y0: 0, y1: y }, (x * y) / area],
    [{ x0: x, x1: width, y0: 0, y1: y }, ((width - x) * y) / area],
    [{ x0: 0, x1: x, y0: y, y1: height }, (x * (height - y)) / area]
  ]
  // As the reference, the last weight is what the other three leave.
  weighted.push([{ x0: x, x1: width, y0: y, y1: height }, 1 - weighted[0][1] - weighted[1][1] - weighted[2][1]])
  let score = 0
  for (const [block, weight] of weighted) {
    if (block.x1 <= block.x0 || block.y1 <= block.y0) continue
    score += weight * blockSimilarity(map, mask, width, block)
  }
  return score
}
