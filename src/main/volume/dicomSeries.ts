/**
 * Turns the slices of one series into an ordered stack with its geometry, refusing series that
 * would give a wrong volume rather than a visibly broken one: a missing slice silently shrinks
 * every measured lung volume, a duplicate doubles it, so both stop the import.
 */
import { VolumeReadError } from './errors'
import type { DicomSlice, Vec3 } from './dicomFile'
import { checkClaimedSize } from './limits'

export interface SeriesGeometry {
  /** Slices in increasing position along the slice normal. */
  slices: DicomSlice[]
  dimensions: Vec3
  spacing: Vec3
  origin: Vec3
  /** Row-major 3×3 whose columns are the row direction, the column direction and the normal (LPS). */
  direction: number[]
}

/** Tolerance for "same orientation" and "same pixel spacing" between slices of one series. */
const SAME_TOLERANCE = 1e-3
/** Positions closer than this along the normal (mm) are the same slice position. */
const DUPLICATE_TOLERANCE_MM = 1e-3
/** Direction cosines further than this from unit length or orthogonality cannot be a slice plane. */
const ORTHONORMAL_TOLERANCE = 1e-2
/** A step larger than this multiple of the median step means slices are missing. */
const GAP_FACTOR = 1.5

export function groupBySeries(slices: DicomSlice[]): Map<string, DicomSlice[]> {
  const groups = new Map<string, DicomSlice[]>()
  for (const s of slices) {
    const group = groups.get(s.seriesInstanceUid)
    if (group) group.push(s)
    else groups.set(s.seriesInstanceUid, [s])
  }
  return groups
}

function cross(a: Vec3, b: Vec3): Vec3 {
  return [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]]
}

function dot(a: readonly number[], b: readonly number[]): number {
  return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]
}

function normalize(v: Vec3): Vec3 {
  const n = Math.hypot(v[0], v[1], v[2])
  return [v[0] / n, v[1] / n, v[2] / n]
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

function fmt(x: number): string {
  return Number(x.toFixed(3)).toString()
}

/** Everything that must hold slice by slice before positions are even compared. */
function checkSlices(slices: DicomSlice[]): void {
  const first = slices[0]
  for (const s of slices) {
    if (s.modality !== 'CT') {
      const what = s.modality ? `modality ${s.modality}` : 'no modality'
      throw new VolumeReadError(s.file, `not a CT image (${what}); Pulmo reads CT series only`)
    }
    if (s.numberOfFrames > 1)
      throw new VolumeReadError(s.file, `multi-frame images (${s.numberOfFrames} frames) are not supported`)
    if (s.samplesPerPixel !== 1)
      throw new VolumeReadError(s.file, `colour images (${s.samplesPerPixel} samples per pixel) are not CT slices`)
    if (s.rows !== first.rows || s.columns !== first.columns) {
      throw new VolumeReadError(
        s.file,
        `slice size ${s.columns}×${s.rows} differs from ${first.columns}×${first.rows} of ${first.file} in the same series`
      )
    }
    if (!s.position || !s.orientation) {
      throw new VolumeReadError(
        s.file,
        'no ImagePositionPatient/ImageOrientationPatient, so the slice cannot be placed'
      )
    }
    if (!s.pixelSpacing) throw new VolumeReadError(s.file, 'no PixelSpacing')
    if (!(s.pixelSpacing[0] > 0 && s.pixelSpacing[1] > 0)) {
      throw new VolumeReadError(s.file, `invalid PixelSpacing ${s.pixelSpacing.join('\\')} (must be positive)`)
    }
    const [r, c] = [s.orientation.slice(0, 3), s.orientation.slice(3, 6)]
    const unit = (v: number[]): boolean => Math.abs(Math.hypot(v[0], v[1], v[2]) - 1) <= ORTHONORMAL_TOLERANCE
    if (!unit(r) || !unit(c) || Math.abs(dot(r, c)) > ORTHONORMAL_TOLERANCE) {
      throw new VolumeReadError(
        s.file,
        `invalid ImageOrientationPatient ${s.orientation.join('\\')} (not two orthogonal unit vectors)`
      )
    }
    const o = first.orientation ?? s.orientation
    if (s.orientation.some((x, i) => Math.abs(x - o[i]) > SAME_TOLERANCE)) {
      throw new VolumeReadError(s.file, `slice orientation differs from ${first.file} in the same series`)
    }
    const p = first.pixelSpacing ?? s.pixelSpacing
    if (Math.abs(s.pixelSpacing[0] - p[0]) > SAME_TOLERANCE || Math.abs(s.pixelSpacing[1] - p[1]) > SAME_TOLERANCE) {
      throw new VolumeReadError(s.file, `pixel spacing differs from ${first.file} in the same series`)
    }
  }
}

/** Orders the slices of one series, checks it is complete and computes its geometry. */
export function assembleSeries(input: DicomSlice[]): SeriesGeometry {
  checkSlices(input)
  const first = input[0]
  // Before anything is allocated for the pixels: Rows/Columns are whatever the header claims.
  checkClaimedSize(first.file, [first.columns, first.rows, input.length], 'series size (columns × rows × slices)')
  const o = first.orientation as number[]
  const row = normalize([o[0], o[1], o[2]])
  const col = normalize([o[3], o[4], o[5]])
  const normal = normalize(cross(row, col))

  const keyed = input.map((s) => ({ s, z: dot(s.position as Vec3, normal) }))
  keyed.sort((a, b) => a.z - b.z)
  const steps: number[] = []
  for (let k = 1; k < keyed.length; k++) {
    const step = keyed[k].z - keyed[k - 1].z
    if (step < DUPLICATE_TOLERANCE_MM) {
      const uid = keyed[k].s.dataset.SOPInstanceUID
      const copy = typeof uid === 'string' && uid !== '' && uid === keyed[k - 1].s.dataset.SOPInstanceUID
      throw new VolumeReadError(
        keyed[k].s.file,
        `duplicated slice position (${fmt(keyed[k].z)} mm along the normal, same as ${keyed[k - 1].s.file}${copy ? `; both are the same image, SOPInstanceUID ${uid}` : ''})`
      )
    }
    steps.push(step)
  }
  if (steps.length > 0) {
    const typical = median(steps)
    steps.forEach((step, k) => {
      if (step > GAP_FACTOR * typical) {
        throw new VolumeReadError(
          keyed[k + 1].s.file,
          `missing slices: a gap of ${fmt(step)} mm before this slice (after ${keyed[k].s.file}) where slices are ${fmt(typical)} mm apart`
        )
      }
    })
  }

  // Mean step over the stack, not SliceThickness: thickness is the reconstruction kernel's width
  // and differs from the spacing for overlapping or gapped reconstructions.
  const n = keyed.length
  const declared = [first.spacingBetweenSlices, first.sliceThickness].find((x) => x !== undefined && x > 0)
  const zSpacing = n > 1 ? (keyed[n - 1].z - keyed[0].z) / (n - 1) : (declared ?? 1)
  const [rowSpacing, columnSpacing] = first.pixelSpacing as [number, number]
  return {
    slices: keyed.map((k) => k.s),
    dimensions: [first.columns, first.rows, n],
    spacing: [columnSpacing, rowSpacing, zSpacing],
    origin: [...(keyed[0].s.position as Vec3)],
    direction: [row[0], col[0], normal[0], row[1], col[1], normal[1], row[2], col[2], normal[2]]
  }
}
