import type { VoxelArray } from '../volume/volume'

/**
 * Otsu's threshold for 8-bit grey levels: the level t maximising the between-class variance of
 * {≤ t} and {> t}. On a lung-window image the two classes are air plus aerated lung (dark) and soft
 * tissue, bone and dense lesions (bright); the window itself is unknown, so no fixed level would do.
 */
export function otsuThreshold(values: VoxelArray): number {
  const histogram = new Float64Array(256)
  for (let p = 0; p < values.length; p++) {
    const level = Math.min(255, Math.max(0, Math.round(values[p])))
    histogram[level]++
  }
  const total = values.length
  let weightedSum = 0
  for (let t = 0; t < 256; t++) weightedSum += t * histogram[t]

  let darkCount = 0
  let darkSum = 0
  let bestVariance = -1
  let bestLevel = 0
  for (let t = 0; t < 256; t++) {
    darkCount += histogram[t]
    if (darkCount === 0) continue
    const brightCount = total - darkCount
    if (brightCount === 0) break
    darkSum += t * histogram[t]
    const darkMean = darkSum / darkCount
    const brightMean = (weightedSum - darkSum) / brightCount
    const variance = darkCount * brightCount * (darkMean - brightMean) ** 2
    if (variance > bestVariance) {
      bestVariance = variance
      bestLevel = t
    }
  }
  return bestLevel
}

/**
 * The grey level at or below which a lung-window pixel counts as air or lung parenchyma: half-way
 * from Otsu's level to the mean of the bright class. Otsu alone splits aerated lung from everything
 * denser, ground glass included; in HU the −320 threshold keeps ground glass (≈ −500 HU) on the air
 * side, and so does this level. On the 50 COVID-SemiSeg training slices it raised the median share
 * of the doctors' infection labels inside the lung mask from 84 % to 96 % without visible leaks
 * into the mediastinum or chest wall.
 */
export function greyAirThreshold(values: VoxelArray): number {
  const otsu = otsuThreshold(values)
  let brightSum = 0
  let brightCount = 0
  for (let p = 0; p < values.length; p++) {
    if (values[p] > otsu) {
      brightSum += values[p]
      brightCount++
    }
  }
  return brightCount === 0 ? otsu : Math.round(otsu + (brightSum / brightCount - otsu) / 2)
}
