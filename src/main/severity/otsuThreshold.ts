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
