/**
 * 6-connected component labelling of a binary 3D mask, run-based: each row is cut into runs of
 * inside voxels, runs that overlap in x in the previous row or the previous slice are joined by
 * union-find. A lung has a few runs per row, so this touches runs (tens of thousands) rather than
 * voxels (millions) after the first scan, which matters because the lung separation labels the mask
 * once per erosion radius.
 * 6-connectivity rather than 26 keeps two lungs that meet only along an edge or a corner apart.
 */
import { nativeImaging } from '../nativeImaging'

export interface ComponentRuns {
  dimensions: [number, number, number]
  /** per run: first voxel's i, one past the last voxel's i, and its row j + k·ny */
  runStart: Int32Array
  runEnd: Int32Array
  runRow: Int32Array
  /** component number (1..) of each run */
  runComponent: Int32Array
  /** voxel count of component c at index c; sizes[0] is 0 */
  sizes: number[]
  /** sum of i over the voxels of component c, for left–right centroids */
  sumI: number[]
}

/** Labels the components of {v : mask[v] > above}. */
export function labelComponents3d(
  mask: Uint8Array,
  dimensions: readonly [number, number, number],
  above = 0
): ComponentRuns {
  const [nx, ny, nz] = dimensions
  const rows = ny * nz
  const { rowFirstRun, runStart, runEnd, runRow } = maskRuns(mask, nx, rows, above)
  const count = runStart.length

  const parent = new Int32Array(count)
  for (let n = 0; n < count; n++) parent[n] = n
  const find = (n: number): number => {
    while (parent[n] !== n) {
      parent[n] = parent[parent[n]]
      n = parent[n]
    }
    return n
  }
  const joinOverlapping = (rowA: number, rowB: number): void => {
    let a = rowFirstRun[rowA]
    let b = rowFirstRun[rowB]
    const aEnd = rowFirstRun[rowA + 1]
    const bEnd = rowFirstRun[rowB + 1]
    while (a < aEnd && b < bEnd) {
      if (runStart[a] < runEnd[b] && runStart[b] < runEnd[a]) {
        const ra = find(a)
        const rb = find(b)
        if (ra !== rb) parent[Math.max(ra, rb)] = Math.min(ra, rb)
      }
      if (runEnd[a] < runEnd[b]) a++
      else b++
    }
  }
  for (let k = 0; k < nz; k++) {
    for (let j = 0; j < ny; j++) {
      const r = j + k * ny
      if (j > 0) joinOverlapping(r, r - 1)
      if (k > 0) joinOverlapping(r, r - ny)
    }
  }

  const runComponent = new Int32Array(count)
  const componentOfRoot = new Int32Array(count)
  const sizes = [0]
  const sumI = [0]
  for (let n = 0; n < count; n++) {
    const root = find(n)
    if (root === n) {
      componentOfRoot[n] = sizes.length
      sizes.push(0)
      sumI.push(0)
    }
    const c = componentOfRoot[root]
    runComponent[n] = c
    const length = runEnd[n] - runStart[n]
    sizes[c] += length
    sumI[c] += ((runStart[n] + runEnd[n] - 1) * length) / 2
  }
  return {
    dimensions: [nx, ny, nz],
    runStart,
    runEnd,
    runRow,
    runComponent,
    sizes,
    sumI
  }
}

/** Every row's runs of voxels above `above`, in scan order: the voxel pass, native over the cores where the kernels are in. */
function maskRuns(
  mask: Uint8Array,
  nx: number,
  rows: number,
  above: number
): { rowFirstRun: Int32Array; runStart: Int32Array; runEnd: Int32Array; runRow: Int32Array } {
  const native = nativeImaging()
  if (native !== undefined && Number.isInteger(above) && above >= 0 && above <= 255) {
    const { rowFirstRun, runStart, runEnd } = native.maskRuns(mask, Float64Array.of(nx, rows, above))
    const runRow = new Int32Array(runStart.length)
    for (let r = 0; r < rows; r++) runRow.fill(r, rowFirstRun[r], rowFirstRun[r + 1])
    return { rowFirstRun, runStart, runEnd, runRow }
  }
  const rowFirstRun = new Int32Array(rows + 1)
  let capacity = 1024
  let runStart = new Int32Array(capacity)
  let runEnd = new Int32Array(capacity)
  let runRow = new Int32Array(capacity)
  let count = 0
  for (let r = 0; r < rows; r++) {
    rowFirstRun[r] = count
    const offset = r * nx
    let i = 0
    while (i < nx) {
      while (i < nx && mask[offset + i] <= above) i++
      if (i === nx) break
      const start = i
      while (i < nx && mask[offset + i] > above) i++
      if (count === capacity) {
        capacity *= 2
        runStart = grow(runStart, capacity)
        runEnd = grow(runEnd, capacity)
        runRow = grow(runRow, capacity)
      }
      runStart[count] = start
      runEnd[count] = i
      runRow[count] = r
      count++
    }
  }
  rowFirstRun[rows] = count
  return { rowFirstRun, runStart: runStart.subarray(0, count), runEnd: runEnd.subarray(0, count), runRow: runRow.subarray(0, count) }
}

function grow(array: Int32Array, capacity: number): Int32Array<ArrayBuffer> {
  const grown = new Int32Array(capacity)
  grown.set(array)
  return grown
}

/** Component numbers ordered by decreasing size (component 0, the background, excluded). */
export function componentsBySize(sizes: readonly number[]): number[] {
  const order: number[] = []
  for (let c = 1; c < sizes.length; c++) order.push(c)
  return order.sort((a, b) => sizes[b] - sizes[a])
}

/** Writes valueOf[c] into `out` over every voxel of component c (skips components mapped to 0). */
export function paintComponents(components: ComponentRuns, valueOf: ArrayLike<number>, out: Uint8Array): void {
  const nx = components.dimensions[0]
  const { runStart, runEnd, runRow, runComponent } = components
  for (let n = 0; n < runComponent.length; n++) {
    const value = valueOf[runComponent[n]]
    if (value === 0) continue
    const offset = runRow[n] * nx
    out.fill(value, offset + runStart[n], offset + runEnd[n])
  }
}
