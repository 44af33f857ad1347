/**
 * Sizes a header may claim before anything is allocated for it. A damaged or hostile header can
 * claim 10⁶ × 10⁶ pixels; trusting it would allocate terabytes (or abort the process), so every
 * reader checks the claimed size here first and refuses with a message naming the file.
 */
import { VolumeReadError } from './errors'

/**
 * 2³⁰ voxels (2 GiB as int16): a 1024³ volume, or 4096 slices of 512 × 512, far beyond any chest
 * CT (P002 is 512 × 512 × 133 = 3.5 × 10⁷), and still allocatable on a workstation.
 */
export const MAX_VOXELS = 2 ** 30
/** Longest side of an image: 16 k covers whole-slide scans downsampled for viewing and any CT. */
export const MAX_SIDE = 16384

/** Throws unless every size is a positive integer within the limits above. */
export function checkClaimedSize(file: string, sizes: readonly number[], what = 'image size'): void {
  const shown = sizes.join(' × ')
  if (sizes.some((n) => !Number.isInteger(n) || n < 1)) {
    throw new VolumeReadError(file, `invalid ${what} ${shown} in the header (every side must be a positive integer)`)
  }
  const total = sizes.reduce((a, b) => a * b, 1)
  if (sizes.some((n) => n > MAX_SIDE) || total > MAX_VOXELS) {
    throw new VolumeReadError(
      file,
      `${what} ${shown} claimed by the header is beyond Pulmo's limits (${MAX_SIDE} per side, ${MAX_VOXELS} voxels in all); the header is damaged or this is not a CT image`
    )
  }
}

/** Whether a volume's geometry can place voxels in space (finite origin and axes, positive spacing). */
export function saneGeometry(
  spacing: readonly number[],
  origin: readonly number[],
  direction: readonly number[]
): boolean {
  return (
    spacing.length === 3 &&
    spacing.every((s) => Number.isFinite(s) && s > 0) &&
    origin.length === 3 &&
    origin.every(Number.isFinite) &&
    direction.length === 9 &&
    direction.every(Number.isFinite)
  )
}
