import { fillHoles2d } from '../morphology/borderFlood2d'
import { createDiskDilationScratch, diskHalfWidths, dilateWithDisk2d } from '../morphology/diskDilation2d'
import { nativeImaging } from '../nativeImaging'
import { IndexStack } from '../morphology/indexStack'

/**
 * Puts back into each lung what the air threshold left out: vessels, bronchial walls, and dense
 * lesions (ground-glass above the threshold, consolidation at soft-tissue density) — in each axial
 * slice, a morphological closing with a disk (bridges indentations narrower than its diameter, such
 * as a juxtapleural lesion's mouth) then a 2D hole filling (anything the lung surrounds in that
 * slice). Each lung is done on its own so the mediastinum between them is never filled, and a lung
 * only takes background voxels, never the other lung's.
 *
 * Known limit: a lesion against the pleura wider than the closing disk is not surrounded by aerated
 * lung in any slice and stays outside the mask; learned lung segmentation is the cure for that.
 */
export function closeAndFillLungsPerSlice(
  labels: Uint8Array,
  dimensions: readonly [number, number, number],
  spacing: readonly [number, number, number],
  lungLabels: readonly number[],
  closingRadiusMm: number
): void {
  const [nx, ny, nz] = dimensions
  const sliceSize = nx * ny
  const marginX = Math.ceil(closingRadiusMm / spacing[0]) + 1
  const marginY = Math.ceil(closingRadiusMm / spacing[1]) + 1
  const native = nativeImaging()
  if (native !== undefined) {
    // the same voxels, the slices spread over the cores
    const { reach, halfWidth } = diskHalfWidths(Math.max(0, closingRadiusMm), spacing[0], spacing[1])
    const params = [nx, ny, nz, marginX, marginY, closingRadiusMm > 0 ? 1 : 0, reach, ...lungLabels]
    native.closeAndFillSlices(labels, halfWidth, Float64Array.from(params))
    return
  }
  const window = new Uint8Array(sliceSize)
  const dilated = new Uint8Array(sliceSize)
  const scratch = new Uint8Array(sliceSize)
  const eroded = new Uint8Array(sliceSize)
  const dilationScratch = createDiskDilationScratch(nx, ny)
  const stack = new IndexStack()

  for (let k = 0; k < nz; k++) {
    const offset = k * sliceSize
    for (const lung of lungLabels) {
      const box = sliceBox(labels, offset, nx, ny, lung)
      if (box === undefined) continue
      const x0 = Math.max(0, box.minX - marginX)
      const x1 = Math.min(nx - 1, box.maxX + marginX)
      const y0 = Math.max(0, box.minY - marginY)
      const y1 = Math.min(ny - 1, box.maxY + marginY)
      const w = x1 - x0 + 1
      const h = y1 - y0 + 1
      for (let y = 0; y < h; y++) {
        const row = offset + (y0 + y) * nx + x0
        for (let x = 0; x < w; x++) window[y * w + x] = labels[row + x] === lung ? 1 : 0
      }
      if (closingRadiusMm > 0) {
        // Closing = erosion of the dilation; the erosion is the complement of the dilated outside.
        // Kept as a union with the lung so the window's edge can only add, never remove.
        dilateWithDisk2d(window, w, h, 1, closingRadiusMm, spacing[0], spacing[1], false, dilated, dilationScratch)
        dilateWithDisk2d(dilated, w, h, 0, closingRadiusMm, spacing[0], spacing[1], true, eroded, dilationScratch)
        for (let p = 0; p < w * h; p++) {
          if (eroded[p] === 0) window[p] = 1
        }
      }
      fillHoles2d(window, w, h, scratch, stack)
      for (let y = 0; y < h; y++) {
        const row = offset + (y0 + y) * nx + x0
        for (let x = 0; x < w; x++) {
          if (window[y * w + x] !== 0 && labels[row + x] === 0) labels[row + x] = lung
        }
      }
    }
  }
}

function sliceBox(
  labels: Uint8Array,
  offset: number,
  nx: number,
  ny: number,
  lung: number
): { minX: number; maxX: number; minY: number; maxY: number } | undefined {
  let minX = nx
  let maxX = -1
  let minY = ny
  let maxY = -1
  for (let y = 0; y < ny; y++) {
    const row = offset + y * nx
    for (let x = 0; x < nx; x++) {
      if (labels[row + x] !== lung) continue
      if (x < minX) minX = x
      if (x > maxX) maxX = x
      if (y < minY) minY = y
      if (y > maxY) maxY = y
    }
  }
  return maxX < 0 ? undefined : { minX, maxX, minY, maxY }
}
