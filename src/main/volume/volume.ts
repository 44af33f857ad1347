/**
 * A scalar image volume in patient (LPS) coordinates, the ITK/DICOM convention.
 * Voxel (i, j, k) sits at index i + j·nx + k·nx·ny, i along columns, j along rows, k along slices.
 * `direction` is the 3×3 direction cosine matrix, row-major, whose column c is the unit vector of
 * axis c in LPS; world = origin + direction · (index ⊙ spacing).
 */
export type VoxelArray = Int16Array | Uint8Array | Uint16Array | Int32Array | Float32Array

export type ValueUnit = 'HU' | 'grey' | 'label' | 'probability'

/** Identification of a DICOM series. Dates are ISO "YYYY-MM-DD" when the DICOM date is complete. */
export interface SeriesMetadata {
  patientName: string
  patientId: string
  patientBirthDate?: string
  patientSex?: string
  studyInstanceUid: string
  studyDate?: string
  studyDescription?: string
  accessionNumber?: string
  seriesInstanceUid: string
  seriesNumber?: number
  seriesDescription?: string
  seriesDate?: string
  manufacturer?: string
  /** The files the volume was read from, in slice order. */
  sourceFiles?: string[]
  frameOfReferenceUid?: string
  /** The DICOM instances of the slices, in slice order (k): what derived objects (SEG) reference. */
  instances?: SourceInstance[]
}

/** One source slice as a derived DICOM object references it. */
export interface SourceInstance {
  sopInstanceUid: string
  sopClassUid: string
  /** ImagePositionPatient of the slice, mm (LPS). */
  position: [number, number, number]
}

export interface Volume {
  data: VoxelArray
  dimensions: [number, number, number]
  spacing: [number, number, number]
  origin: [number, number, number]
  direction: number[]
  modality: string
  unit: ValueUnit
  metadata?: SeriesMetadata
  /** DICOM InstanceNumber of slice k (read from DICOM; absent for other formats): the image number people read. */
  instanceNumbers?: number[]
}

export const IDENTITY_DIRECTION: readonly number[] = [1, 0, 0, 0, 1, 0, 0, 0, 1]

export function voxelCount(v: Pick<Volume, 'dimensions'>): number {
  return v.dimensions[0] * v.dimensions[1] * v.dimensions[2]
}

export function voxelVolumeMl(v: Pick<Volume, 'spacing'>): number {
  return (v.spacing[0] * v.spacing[1] * v.spacing[2]) / 1000
}

export function valueRange(data: ArrayLike<number>): [number, number] {
  let min = Infinity
  let max = -Infinity
  for (let i = 0; i < data.length; i++) {
    const x = data[i]
    if (x < min) min = x
    if (x > max) max = x
  }
  return [min, max]
}
