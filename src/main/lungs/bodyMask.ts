import { fillHoles2d, markBorderConnected2d } from '../morphology/borderFlood2d'
import { componentsBySize, labelComponents3d, paintComponents } from '../morphology/connectedComponents3d'
import { fillConvexHull2d } from '../morphology/convexHull2d'
import { IndexStack } from '../morphology/indexStack'
import { nativeImaging } from '../nativeImaging'

/**
 * How the body is told from what surrounds it, per axial slice.
 * - 'filled-largest-tissue' (CT with the whole chest in the field of view): the body is the largest
 *   4-connected region of tissue (non-air) with its holes filled. The table, its hollow core and
 *   the air in blankets stay outside, which "air connected to the image border" would not ensure:
 *   a table cavity is enclosed, and is trachea-sized.
 * - 'tissue-hull' (images cropped to the chest, like the COVID-SemiSeg JPEGs, where the lungs may
 *   touch the image border): everything except the air connected to the border outside the convex
 *   hull of the tissue regions above a speck size; the chest wall's pieces, even cut apart by the
 *   crop, span the lungs.
 */
export type BodyModel = 'filled-largest-tissue' | 'tissue-hull'

/** Tissue regions smaller than this fraction of the slice are specks (noise, text), not chest wall. */
const MIN_TISSUE_FRACTION = 0.001

/** 1 where a voxel belongs to the body, its air spaces included (`air` is 1 where a voxel is air). */
export function segmentBody(
  air: Uint8Array,
  dimensions: readonly [number, number, number],
  model: BodyModel
): Uint8Array {
  const [nx, ny, nz] = dimensions
  const sliceSize = nx * ny
  const body = new Uint8Array(air.length)
  const stack = new IndexStack()
  const tissue = new Uint8Array(sliceSize)
  const scratch = new Uint8Array(sliceSize)
  for (let k = 0; k < nz; k++) {
    const offset = k * sliceSize
    const slice = air.subarray(offset, offset + sliceSize)
    const sliceBody = body.subarray(offset, offset + sliceSize)
    for (let p = 0; p < sliceSize; p++) tissue[p] = slice[p] === 0 ? 1 : 0
    const components = labelComponents3d(tissue, [nx, ny, 1])
    const keep = new Uint8Array(components.sizes.length)
    if (model === 'filled-largest-tissue') {
      const largest = componentsBySize(components.sizes)[0]
      if (largest !== undefined) keep[largest] = 1
      paintComponents(components, keep, sliceBody)
      fillHoles2d(sliceBody, nx, ny, scratch, stack)
    } else {
      for (let c = 1; c < components.sizes.length; c++) {
        if (components.sizes[c] >= MIN_TISSUE_FRACTION * sliceSize) keep[c] = 1
      }
      paintComponents(components, keep, scratch)
      const hull = tissue
      fillConvexHull2d(scratch, nx, ny, hull)
      markBorderConnected2d(slice, nx, ny, 1, scratch, stack)
      for (let p = 0; p < sliceSize; p++) sliceBody[p] = scratch[p] !== 0 && hull[p] === 0 ? 0 : 1
    }
  }
  return body
}

/** Mean column of the body: the left–right midline. */
export function bodyCentreI(body: Uint8Array, nx: number): number {
  let sum = 0
  let count = 0
  const native = nativeImaging()
  if (native !== undefined) {
    // by runs (the native kernels cut them over the cores): whole numbers, so the same sum exactly
    const { runStart, runEnd } = native.maskRuns(body, Float64Array.of(nx, body.length / nx, 0))
    for (let r = 0; r < runStart.length; r++) {
      const length = runEnd[r] - runStart[r]
      sum += ((runStart[r] + runEnd[r] - 1) * length) / 2
      count += length
    }
    return count > 0 ? sum / count : (nx - 1) / 2
  }
  for (let row = 0; row < body.length; row += nx) {
    for (let i = 0; i < nx; i++) {
      if (body[row + i] !== 0) {
        sum += i
        count++
      }
    }
  }
  return count > 0 ? sum / count : (nx - 1) / 2
}
