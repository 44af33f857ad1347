/**
 * The three orthogonal planes of an x-fastest volume. A plane is read as rows (v) of columns (u):
 * voxel index = base + u·du + v·dv, so the same loops render, composite and hit-test every view.
 * Coronal and sagittal views put the patient's head at the top, whichever way the slices were stored.
 */

export type Orientation = 'axial' | 'coronal' | 'sagittal'

export type Dimensions = readonly [number, number, number]
export type Spacing = readonly [number, number, number]

export interface PlaneGeometry {
  orientation: Orientation
  /** Columns and rows of the plane image. */
  width: number
  height: number
  base: number
  du: number
  dv: number
  /** Millimetres per column and per row, for the displayed aspect ratio. */
  spacingU: number
  spacingV: number
}

export interface VoxelIndex {
  x: number
  y: number
  z: number
}

// The rule is shared with the slice numbering (head at the top, Im counted from the head).
export { slicesAscendHeadwards } from '../../../shared/sliceNumbering'

/** How many planes of this orientation the volume has. */
export function planeCount(orientation: Orientation, dims: Dimensions): number {
  return orientation === 'axial' ? dims[2] : orientation === 'coronal' ? dims[1] : dims[0]
}

export function planeGeometry(
  orientation: Orientation,
  dims: Dimensions,
  spacing: Spacing,
  index: number,
  flipZ: boolean
): PlaneGeometry {
  const [nx, ny, nz] = dims
  const sliceSize = nx * ny
  if (orientation === 'axial') {
    return {
      orientation,
      width: nx,
      height: ny,
      base: index * sliceSize,
      du: 1,
      dv: nx,
      spacingU: spacing[0],
      spacingV: spacing[1]
    }
  }
  const zBase = flipZ ? (nz - 1) * sliceSize : 0
  const dv = flipZ ? -sliceSize : sliceSize
  if (orientation === 'coronal') {
    return {
      orientation,
      width: nx,
      height: nz,
      base: zBase + index * nx,
      du: 1,
      dv,
      spacingU: spacing[0],
      spacingV: spacing[2]
    }
  }
  return {
    orientation,
    width: ny,
    height: nz,
    base: zBase + index,
    du: nx,
    dv,
    spacingU: spacing[1],
    spacingV: spacing[2]
  }
}

/** The voxel shown at plane column u, row v. */
export function planeToVoxel(
  orientation: Orientation,
  u: number,
  v: number,
  index: number,
  dims: Dimensions,
  flipZ: boolean
): VoxelIndex {
  const z = flipZ ? dims[2] - 1 - v : v
  if (orientation === 'axial') return { x: u, y: v, z: index }
  if (orientation === 'coronal') return { x: u, y: index, z }
  return { x: index, y: u, z }
}

/** Where a voxel appears in a plane of this orientation (u, v) and which plane holds it. */
export function voxelToPlane(
  orientation: Orientation,
  voxel: VoxelIndex,
  dims: Dimensions,
  flipZ: boolean
): { u: number; v: number; index: number } {
  const v = flipZ ? dims[2] - 1 - voxel.z : voxel.z
  if (orientation === 'axial') return { u: voxel.x, v: voxel.y, index: voxel.z }
  if (orientation === 'coronal') return { u: voxel.x, v, index: voxel.y }
  return { u: voxel.y, v, index: voxel.x }
}

/** Zoom factor and pan offset (CSS pixels) of one view; zoom 1 fits the plane to its viewport. */
export interface ViewTransform {
  zoom: number
  panX: number
  panY: number
}
