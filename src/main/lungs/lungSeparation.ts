import { componentsBySize, labelComponents3d, paintComponents } from '../morphology/connectedComponents3d'
import { squaredDistanceToFeature3d } from '../morphology/distanceTransform3d'
import { nativeImaging } from '../nativeImaging'
import type { AxialOrientation } from '../volume/volumeGeometry'

export const RIGHT_LUNG_LABEL = 1
export const LEFT_LUNG_LABEL = 2

/** Parameters of the lung separation (see separateLungs). */
export interface LungSeparationOptions {
  /** disk radii tried in turn after the mask itself, mm */
  erosionRadiiMm: readonly number[]
  /** the second marker must hold at least this fraction of the first's voxels */
  minMarkerRatio: number
  /** markers must lie on opposite sides of the midline (off for images of unknown orientation) */
  requireOppositeSides: boolean
}

export const DEFAULT_LUNG_SEPARATION: LungSeparationOptions = {
  erosionRadiiMm: [1.5, 3, 4.5, 6, 8, 10, 13, 16, 20],
  minMarkerRatio: 0.1,
  requireOppositeSides: true
}

export type SeparationMethod = 'components' | 'erosion' | 'midline'

export interface LungSeparation {
  /** 0 background, 1 right lung, 2 left lung */
  labels: Uint8Array
  method: SeparationMethod
  /** the erosion radius that separated the lungs, mm (0 when they were already apart) */
  erosionRadiusMm?: number
}

/**
 * Splits a lung mask into right and left lungs, even where they touch (the anterior and posterior
 * junction lines are thinner than a voxel in many scans, so at −320 HU the two lungs often form a
 * single component).
 *
 * Approach: erode the mask with growing disks in the axial plane until it falls apart into two
 * large components, one on each side of the body's midline; those are the markers. Every lung voxel
 * then takes the label of the marker it is geodesically nearest to, by a breadth-first growth of
 * both markers at once inside the mask (a marker-based watershed on the geodesic distance): the
 * split falls where the two fronts meet, in the middle of the bridge. Any bridge between the lungs
 * crosses the midline within one axial slice, so an in-plane erosion is enough to cut it.
 * When no erosion separates them (a single lung, say), voxels are assigned by their side of the
 * body's midline.
 */
export function separateLungs(
  mask: Uint8Array,
  dimensions: readonly [number, number, number],
  spacing: readonly [number, number, number],
  orientation: AxialOrientation,
  midlineI: number,
  options: LungSeparationOptions = DEFAULT_LUNG_SEPARATION
): LungSeparation {
  const grid: MidlineGrid = { dimensions, orientation, midlineI }
  const separatedBy = (markers: Uint8Array, method: SeparationMethod, radius: number): LungSeparation => {
    const labels = growMarkers(mask, dimensions, markers)
    assignLeftoversByMidline(mask, labels, grid)
    return { labels, method, erosionRadiusMm: radius }
  }
  // Radius 0, the mask itself: most scans separate here once the airways are out.
  const radii = options.erosionRadiiMm.filter((r) => r > 0).sort((a, b) => a - b)
  const direct = twoLungMarkers(mask, 0, grid, options)
  if (direct instanceof Uint8Array) return separatedBy(direct, 'components', 0)

  if (direct !== 'empty' && radii.length > 0) {
    // The erosion is searched on a grid coarsened 2×2 in-plane, a quarter of the work: markers need
    // not be exact, the geodesic growth at full resolution places the boundary.
    const coarse = coarsenInPlane(mask, dimensions, spacing)
    const depth = erosionDepth(coarse.mask, coarse.dimensions, coarse.spacing, radii)
    const coarseGrid: MidlineGrid = { dimensions: coarse.dimensions, orientation, midlineI: (midlineI - 0.5) / 2 }
    for (let level = 0; level < radii.length; level++) {
      // Voxels deeper than `level` survive the erosion by radii[level].
      const markers = twoLungMarkers(depth, level, coarseGrid, options)
      if (markers === 'empty') break
      if (markers === undefined) continue
      return separatedBy(refineMarkers(markers, coarse.dimensions, mask, dimensions), 'erosion', radii[level])
    }
  }
  const labels = new Uint8Array(mask.length)
  assignLeftoversByMidline(mask, labels, grid)
  return { labels, method: 'midline' }
}

/** A grid and the body's midline on it (voxel i), with the direction of the patient's left. */
interface MidlineGrid {
  dimensions: readonly [number, number, number]
  orientation: AxialOrientation
  midlineI: number
}

interface CoarseMask {
  mask: Uint8Array
  dimensions: [number, number, number]
  spacing: [number, number, number]
}

/** 2×2 in-plane blocks; a block is inside when its four voxels are, so thin bridges vanish first. */
function coarsenInPlane(
  mask: Uint8Array,
  dimensions: readonly [number, number, number],
  spacing: readonly [number, number, number]
): CoarseMask {
  const [nx, ny, nz] = dimensions
  const cx = nx >> 1
  const cy = ny >> 1
  const coarse = new Uint8Array(cx * cy * nz)
  for (let k = 0; k < nz; k++) {
    for (let j = 0; j < cy; j++) {
      const top = k * nx * ny + 2 * j * nx
      const bottom = top + nx
      const out = (k * cy + j) * cx
      for (let i = 0; i < cx; i++) {
        const a = top + 2 * i
        const b = bottom + 2 * i
        coarse[out + i] = mask[a] !== 0 && mask[a + 1] !== 0 && mask[b] !== 0 && mask[b + 1] !== 0 ? 1 : 0
      }
    }
  }
  return { mask: coarse, dimensions: [cx, cy, nz], spacing: [2 * spacing[0], 2 * spacing[1], spacing[2]] }
}

/** Coarse markers carried to the full grid, on the mask's voxels only. */
function refineMarkers(
  coarseMarkers: Uint8Array,
  coarseDimensions: readonly [number, number, number],
  mask: Uint8Array,
  dimensions: readonly [number, number, number]
): Uint8Array {
  const [nx, ny, nz] = dimensions
  const [cx, cy] = coarseDimensions
  const markers = new Uint8Array(mask.length)
  let v = 0
  for (let k = 0; k < nz; k++) {
    for (let j = 0; j < ny; j++) {
      const coarseRow = (k * cy + (j >> 1)) * cx
      for (let i = 0; i < nx; i++, v++) {
        if (mask[v] === 0 || i >> 1 >= cx || j >> 1 >= cy) continue
        markers[v] = coarseMarkers[coarseRow + (i >> 1)]
      }
    }
  }
  return markers
}

/**
 * For each mask voxel, the number of (positive, ascending) radii its in-plane distance to the
 * background exceeds; 0 off the mask. One distance transform per slice serves every radius.
 */
function erosionDepth(
  mask: Uint8Array,
  dimensions: readonly [number, number, number],
  spacing: readonly [number, number, number],
  radii: readonly number[]
): Uint8Array {
  const depth = new Uint8Array(mask.length)
  const squaredRadii = radii.map((r) => r * r)
  // each slice's distance to the background (in-plane: the erosion is per slice)
  const distance = squaredDistanceToFeature3d(mask, dimensions, spacing, 0, true, { inPlane: true })
  for (let v = 0; v < mask.length; v++) {
    if (mask[v] === 0) continue
    let level = 0
    while (level < squaredRadii.length && distance[v] > squaredRadii[level]) level++
    depth[v] = level
  }
  return depth
}

/**
 * The two largest components of {depth > level} (the mask eroded by radii[level]) as right/left
 * markers (a label map), if they look like two lungs; 'empty' once the erosion has left nothing.
 */
function twoLungMarkers(
  depth: Uint8Array,
  level: number,
  { dimensions, orientation, midlineI }: MidlineGrid,
  options: LungSeparationOptions
): Uint8Array | 'empty' | undefined {
  const components = labelComponents3d(depth, dimensions, level)
  const { sizes, sumI } = components
  const order = componentsBySize(sizes)
  if (order.length === 0) return 'empty'
  if (order.length < 2) return undefined
  const [first, second] = order
  if (sizes[second] < options.minMarkerRatio * sizes[first]) return undefined
  const centreFirst = sumI[first] / sizes[first]
  const centreSecond = sumI[second] / sizes[second]
  if (options.requireOppositeSides && (centreFirst - midlineI) * (centreSecond - midlineI) >= 0) return undefined

  // Patient left lies toward growing i when the i axis points to the patient's left.
  const firstIsLeft = (centreFirst - centreSecond) * orientation.towardLeft > 0
  const markerOf = new Uint8Array(sizes.length)
  markerOf[first] = firstIsLeft ? LEFT_LUNG_LABEL : RIGHT_LUNG_LABEL
  markerOf[second] = firstIsLeft ? RIGHT_LUNG_LABEL : LEFT_LUNG_LABEL
  const markers = new Uint8Array(depth.length)
  paintComponents(components, markerOf, markers)
  return markers
}

/** Breadth-first growth of all markers at once inside the mask (6-connected). */
export function growMarkers(mask: Uint8Array, dimensions: readonly [number, number, number], markers: Uint8Array): Uint8Array {
  const [nx, ny, nz] = dimensions
  const sliceSize = nx * ny
  const labels = new Uint8Array(mask.length)
  const native = nativeImaging()
  if (native !== undefined) {
    // the same flood in the same order, compiled
    native.growMarkers(mask, markers, labels, Float64Array.of(nx, ny, nz))
    return labels
  }
  let maskCount = 0
  for (let v = 0; v < mask.length; v++) if (mask[v] !== 0) maskCount++
  const queue = new Int32Array(maskCount)
  let head = 0
  let tail = 0
  for (let v = 0; v < mask.length; v++) {
    if (markers[v] !== 0 && mask[v] !== 0) {
      labels[v] = markers[v]
      queue[tail++] = v
    }
  }
  const reach = (n: number, label: number): void => {
    if (mask[n] === 0 || labels[n] !== 0) return
    labels[n] = label
    queue[tail++] = n
  }
  while (head < tail) {
    const v = queue[head++]
    const label = labels[v]
    const k = (v / sliceSize) | 0
    const inSlice = v - k * sliceSize
    const j = (inSlice / nx) | 0
    const i = inSlice - j * nx
    if (i > 0) reach(v - 1, label)
    if (i < nx - 1) reach(v + 1, label)
    if (j > 0) reach(v - nx, label)
    if (j < ny - 1) reach(v + nx, label)
    if (k > 0) reach(v - sliceSize, label)
    if (k < nz - 1) reach(v + sliceSize, label)
  }
  return labels
}

/** Labels the mask voxels no marker reached by the side of the midline they lie on. */
function assignLeftoversByMidline(mask: Uint8Array, labels: Uint8Array, { dimensions, orientation, midlineI }: MidlineGrid): void {
  const nx = dimensions[0]
  for (let v = 0; v < mask.length; v++) {
    if (mask[v] === 0 || labels[v] !== 0) continue
    const onLeft = ((v % nx) - midlineI) * orientation.towardLeft > 0
    labels[v] = onLeft ? LEFT_LUNG_LABEL : RIGHT_LUNG_LABEL
  }
}
