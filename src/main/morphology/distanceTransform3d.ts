/**
 * Exact squared Euclidean distance transform of a 3D binary volume at its voxel spacing (mm²): the
 * 2D transform on every axial slice, then the same lower envelope of parabolas along z (the
 * transform is separable, Felzenszwalb & Huttenlocher 2012). Slices are often 2–5 times thicker
 * than the in-plane pixel, which is why the spacing enters every pass rather than counting voxels.
 */
import {
  createDistanceScratch,
  envelopeAlongLine,
  FAR_SQUARED_MM,
  squaredDistanceToFeature2d
} from './distanceTransform2d'
import { nativeImaging } from '../nativeImaging'

/**
 * Squared distance (mm²) from each voxel centre to the nearest voxel whose value is `featureValue`.
 * `frameIsFeature`: the outside of the volume counts as feature (a one-voxel frame), on every side.
 * `inPlane`: each axial slice's own 2D distance (squaredDistanceToFeature2d slice by slice, no pass
 * along z). On the cores when the native kernels are in; the same values either way.
 */
export function squaredDistanceToFeature3d(
  volume: Uint8Array,
  dimensions: readonly [number, number, number],
  spacing: readonly [number, number, number] | readonly number[],
  featureValue: number,
  frameIsFeature: boolean,
  { inPlane = false }: { inPlane?: boolean } = {}
): Float32Array {
  const [nx, ny, nz] = dimensions
  const sliceSize = nx * ny
  const out = new Float32Array(volume.length)
  const native = nativeImaging()
  if (native !== undefined) {
    const params = [nx, ny, nz, featureValue, spacing[0], spacing[1], spacing[2], frameIsFeature ? 1 : 0, inPlane ? 1 : 0]
    native.squaredDistance3d(volume, out, Float64Array.from(params))
    return out
  }
  const scratch = createDistanceScratch(Math.max(nx, ny, nz))
  for (let k = 0; k < nz; k++) {
    const range = [k * sliceSize, (k + 1) * sliceSize] as const
    squaredDistanceToFeature2d(volume.subarray(...range), nx, ny, featureValue, spacing[0], spacing[1], frameIsFeature, out.subarray(...range), scratch)
  }
  if (inPlane || (nz < 2 && !frameIsFeature)) return out
  for (let p = 0; p < sliceSize; p++) {
    envelopeAlongLine(out, p, sliceSize, nz, spacing[2], frameIsFeature, scratch, FAR_SQUARED_MM)
  }
  return out
}
