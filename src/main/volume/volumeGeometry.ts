import type { Volume } from './volume'

/** What the severity code needs of a volume: its voxel grid, not its voxel values. */
export type VolumeGeometry = Pick<Volume, 'dimensions' | 'spacing' | 'direction'>

/**
 * Where the voxel axes of an axial series point in the patient (LPS).
 * +1: a growing index moves toward the patient's Left / Posterior / Superior; −1: the opposite way.
 */
export interface AxialOrientation {
  /** along i (columns) */
  towardLeft: 1 | -1
  /** along j (rows) */
  towardPosterior: 1 | -1
  /** along k (slices) */
  towardSuperior: 1 | -1
}

/**
 * Reads the patient orientation of an axial series from its direction cosines.
 * The lung code works slice by slice in the axial plane, so a series whose slice axis is not mainly
 * craniocaudal (a coronal or sagittal reformat) is refused rather than silently mislabelled.
 */
export function axialOrientation(direction: readonly number[]): AxialOrientation {
  if (direction.length !== 9) throw new Error(`direction must have 9 entries, got ${direction.length}`)
  const signs: Array<1 | -1> = []
  for (let axis = 0; axis < 3; axis++) {
    // Column `axis` of the row-major matrix is that voxel axis' unit vector in LPS.
    const own = direction[axis * 3 + axis]
    for (let row = 0; row < 3; row++) {
      if (row !== axis && Math.abs(direction[row * 3 + axis]) >= Math.abs(own)) {
        throw new Error(
          `severity analysis needs an axial series (voxel axes along L, P, S); direction is [${direction.join(', ')}]`
        )
      }
    }
    signs.push(own > 0 ? 1 : -1)
  }
  return { towardLeft: signs[0], towardPosterior: signs[1], towardSuperior: signs[2] }
}

export function voxelVolumeMm3(spacing: readonly number[]): number {
  return spacing[0] * spacing[1] * spacing[2]
}
