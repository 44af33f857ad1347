import type { LungMask } from '../lungs/lungMask'

/**
 * The lung mask with the infection the model found at its rim taken into it.
 *
 * The lung mask is a threshold (air at or below −320 HU) closed and hole-filled per slice: a dense
 * lesion inside the lung is kept, but one against the pleura is not enclosed by aerated lung and
 * falls outside. Inference keeps predictions within a small margin of the mask for exactly those
 * lesions; they are lung, so each such voxel joins the lung of its nearest lung voxel in the same
 * slice (within `radiusPx`). The result: no infection lies outside the lungs, and consolidated lung
 * counts in the lung volume the percentages divide by.
 */
export function absorbInfectionIntoLungs(lungs: LungMask, infection: Uint8Array, voxelMl: number, radiusPx: [number, number]): LungMask {
  const [nx, ny] = lungs.dimensions
  const labels = lungs.labels.slice()
  const [rx, ry] = radiusPx
  const slice = nx * ny
  let added = 0
  // only the infected voxels are visited (the infection is 0/1; indexOf scans natively)
  for (let v = infection.indexOf(1); v !== -1; v = infection.indexOf(1, v + 1)) {
    if (lungs.labels[v] !== 0) continue
    const k = Math.floor(v / slice)
    const j = Math.floor((v - k * slice) / nx)
    const i = v - k * slice - j * nx
    let best = 0
    let bestDistance = Infinity
    for (let dj = -ry; dj <= ry; dj++) {
      const y = j + dj
      if (y < 0 || y >= ny) continue
      for (let di = -rx; di <= rx; di++) {
        const x = i + di
        if (x < 0 || x >= nx) continue
        const label = lungs.labels[k * slice + y * nx + x]
        if (label === 0) continue
        const d = (di / rx) ** 2 + (dj / ry) ** 2
        if (d < bestDistance) {
          bestDistance = d
          best = label
        }
      }
    }
    if (best !== 0) {
      labels[v] = best
      added++
    }
  }
  if (added === 0) return lungs
  let right = 0
  let left = 0
  for (let v = 0; v < labels.length; v++) {
    if (labels[v] === 1) right++
    else if (labels[v] === 2) left++
  }
  return { ...lungs, labels, rightVolumeMl: right * voxelMl, leftVolumeMl: left * voxelMl, totalVolumeMl: (right + left) * voxelMl }
}
