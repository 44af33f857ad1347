/**
 * Binary dilation of a 2D image by a disk of radius r (mm), with anisotropic pixels.
 * The disk is the union of horizontal segments, one per row offset dy, of half-width
 * ⌊√(r² − (dy·sy)²) / sx⌋ pixels; so output row y is the union, over dy, of the feature runs of row
 * y + dy each widened by that half-width. Organ masks have a few runs per row, so this is a few
 * dozen native fills per row instead of a disk's worth of tests per pixel — it keeps the closing of
 * every lung slice cheap. Matches thresholding an exact distance transform at r (d ≤ r).
 */
export interface DiskDilationScratch {
  runStart: Int32Array
  runEnd: Int32Array
  rowFirstRun: Int32Array
}

export function createDiskDilationScratch(width: number, height: number): DiskDilationScratch {
  // A row of width w holds at most ⌈w/2⌉ runs, plus the two frame runs.
  const maxRuns = height * (Math.ceil(width / 2) + 2)
  return {
    runStart: new Int32Array(maxRuns),
    runEnd: new Int32Array(maxRuns),
    rowFirstRun: new Int32Array(height + 1)
  }
}

/**
 * Sets out[p] = 1 where a pixel equal to `featureValue` lies within `radiusMm`, else 0.
 * `frameIsFeature`: the area outside the image counts as feature (erosion, as the dilation of the
 * complement, needs an object cut by the window edge to erode from there).
 */
export function dilateWithDisk2d(
  image: Uint8Array,
  width: number,
  height: number,
  featureValue: number,
  radiusMm: number,
  spacingX: number,
  spacingY: number,
  frameIsFeature: boolean,
  out: Uint8Array,
  scratch: DiskDilationScratch = createDiskDilationScratch(width, height)
): void {
  const { runStart, runEnd, rowFirstRun } = scratch
  let count = 0
  for (let y = 0; y < height; y++) {
    rowFirstRun[y] = count
    const row = y * width
    if (frameIsFeature) {
      runStart[count] = -1
      runEnd[count++] = 0
    }
    let x = 0
    while (x < width) {
      while (x < width && image[row + x] !== featureValue) x++
      if (x === width) break
      runStart[count] = x
      while (x < width && image[row + x] === featureValue) x++
      runEnd[count++] = x
    }
    if (frameIsFeature) {
      runStart[count] = width
      runEnd[count++] = width + 1
    }
  }
  rowFirstRun[height] = count

  const { reach, halfWidth } = diskHalfWidths(radiusMm, spacingX, spacingY)

  for (let y = 0; y < height; y++) {
    const row = y * width
    out.fill(0, row, row + width)
    for (let dy = -reach; dy <= reach; dy++) {
      const source = y + dy
      if (source < 0 || source >= height) {
        if (frameIsFeature) {
          out.fill(1, row, row + width)
          break
        }
        continue
      }
      const h = halfWidth[dy + reach]
      for (let n = rowFirstRun[source]; n < rowFirstRun[source + 1]; n++) {
        const from = Math.max(0, runStart[n] - h)
        const to = Math.min(width, runEnd[n] + h)
        if (from < to) out.fill(1, row + from, row + to)
      }
    }
  }
}

/**
 * The disk as rows: its reach in rows (±reach) and the half-width in whole pixels at each row
 * offset dy (index dy + reach); a tiny slack absorbs rounding. The one rule of the dilation, for the
 * TypeScript and the native kernels alike.
 */
export function diskHalfWidths(radiusMm: number, spacingX: number, spacingY: number): { reach: number; halfWidth: Int32Array } {
  const reach = Math.floor(radiusMm / spacingY + 1e-9)
  const halfWidth = new Int32Array(2 * reach + 1)
  for (let dy = -reach; dy <= reach; dy++) {
    const rest = radiusMm * radiusMm - (dy * spacingY) ** 2
    halfWidth[dy + reach] = Math.floor(Math.sqrt(Math.max(0, rest)) / spacingX + 1e-9)
  }
  return { reach, halfWidth }
}
