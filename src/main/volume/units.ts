/**
 * The unit of voxel values from a format that does not say (NIfTI from other tools, NRRD,
 * MetaImage). CT is stored signed (HU go below zero); unsigned data is a mask or an 8/16-bit
 * image, told apart by its range: label maps use a handful of small codes.
 */
import type { ValueUnit, VoxelArray } from './volume'

/** Largest value still read as a label code rather than a grey level. */
const MAX_LABEL = 15

export function guessUnit(data: VoxelArray): ValueUnit {
  if (!(data instanceof Uint8Array || data instanceof Uint16Array)) return 'HU'
  let max = 0
  for (let i = 0; i < data.length; i++) if (data[i] > max) max = data[i]
  return max <= MAX_LABEL ? 'label' : 'grey'
}

export function guessModality(unit: ValueUnit): string {
  return unit === 'HU' ? 'CT' : 'OT'
}
