/**
 * Exact squared Euclidean distance transform of a 3D binary volume at its voxel spacing (mm²): the
 * 2D transform on every axial slice, then the same lower envelope of parabolas along z (the
 * transform is separable, Felzenszwalb & Huttenlocher 2012). Slices are often 2–5 times thicker
 * than the in-plane pixel, which is why the spacing enters every pass rather than counting voxels.
 */
import { createDistanceScratch, FAR_SQUARED_MM, lowerEnvelope1d, squaredDistanceToFeature2d } from './distanceTransform2d'

/**
 * Squared distance (mm²) from each voxel centre to the nearest voxel whose value is `featureValue`.
 * `frameIsFeature`: the outside of the volume counts as feature (a one-voxel frame), on every side.
 */
export function squaredDistanceToFeature3d(
  volume: Uint8Array,
  dimensions: readonly [number, number, number],
  spacing: readonly [number, number, number] | readonly number[],
  featureValue: number,
  frameIsFeature: boolean
): Float32Array {
  const [nx, ny, nz] = dimensions
  const sliceSize = nx * ny
  const out = new Float32Array(volume.length)
  const scratch = createDistanceScratch(Math.max(nx, ny, nz))
  for (let k = 0; k < nz; k++) {
    squaredDistanceToFeature2d(
      volume.subarray(k * sliceSize, (k + 1) * sliceSize),
      nx,
      ny,
      featureValue,
      spacing[0],
      spacing[1],
      frameIsFeature,
      out.subarray(k * sliceSize, (k + 1) * sliceSize),
      scratch
    )
  }
  if (nz < 2 && !frameIsFeature) return out
  const f = scratch.column
  const d = scratch.envelopeDistance
  const sz = spacing[2]
  for (let p = 0; p < sliceSize; p++) {
    for (let k = 0; k < nz; k++) f[k] = out[k * sliceSize + p]
    lowerEnvelope1d(f, nz, sz, d, scratch.envelopeVertex, scratch.envelopeBoundary)
    for (let k = 0; k < nz; k++) {
      let value = d[k]
      if (frameIsFeature) {
        const toFrame = Math.min(k + 1, nz - k) * sz
        if (toFrame * toFrame < value) value = toFrame * toFrame
      }
      out[k * sliceSize + p] = Math.min(value, FAR_SQUARED_MM)
    }
  }
  return out
}
