/**
 * How slices are numbered for people: the number a radiologist reads on screen, in the report's
 * key-image captions and in CLI output, so that "Im 60" here is image 60 on the PACS. Voxel index k
 * (0-based, increasing along the slice normal) stays the storage order; only the label changes.
 *
 * A DICOM series is numbered by InstanceNumber. A volume without usable instance numbers (NIfTI,
 * NRRD, PNG/JPEG, or numbers missing or repeated) is numbered 1… from the head end, and says so.
 * This file imports nothing from Node or the DOM.
 */

export type SliceNumberSource = 'instance-number' | 'from-head'

export interface SliceNumbering {
  /** The number shown for slice k. */
  numbers: number[]
  source: SliceNumberSource
}

/**
 * True when increasing k moves towards the head. Row 2 of the row-major direction matrix is the
 * patient S component of each voxel axis (LPS: +S is head); [8] is that of the slice axis.
 */
export function slicesAscendHeadwards(direction: readonly number[]): boolean {
  return direction[8] > 0
}

/** Instance numbers usable as labels: one integer per slice, no two alike. */
function usable(
  instanceNumbers: readonly (number | null | undefined)[] | null | undefined,
  count: number
): instanceNumbers is number[] {
  if (!instanceNumbers || instanceNumbers.length !== count) return false
  if (!instanceNumbers.every((n) => typeof n === 'number' && Number.isInteger(n))) return false
  return new Set(instanceNumbers).size === count
}

export function sliceNumbering(
  count: number,
  direction: readonly number[],
  instanceNumbers?: readonly (number | null | undefined)[] | null
): SliceNumbering {
  if (usable(instanceNumbers, count)) return { numbers: [...instanceNumbers], source: 'instance-number' }
  const headwards = slicesAscendHeadwards(direction)
  return {
    numbers: Array.from({ length: count }, (_, k) => (headwards ? count - k : k + 1)),
    source: 'from-head'
  }
}

/** "Im 60", the label of one slice (the DICOM viewers' convention). */
export function sliceLabel(numbering: SliceNumbering, k: number): string {
  return `Im ${numbering.numbers[k] ?? k + 1}`
}

/** What the numbers mean, for a caption or a tooltip. */
export function numberingNote(numbering: SliceNumbering): string {
  return numbering.source === 'instance-number'
    ? 'image numbers are the DICOM InstanceNumber'
    : 'no DICOM InstanceNumber: images numbered from the head'
}

/**
 * +1 when the numbers grow with k, −1 when they fall: "next image" moves k by this step, so
 * scrolling on reads Im 1, 2, 3… whichever way the slices are stored.
 */
export function numberingStep(numbering: SliceNumbering): 1 | -1 {
  const { numbers } = numbering
  return numbers.length > 1 && numbers[numbers.length - 1] < numbers[0] ? -1 : 1
}

/**
 * Table position of slice k along the patient's head–foot axis, in mm (the world z of the slice's
 * first voxel, LPS: positive towards the head), as DICOM SliceLocation usually gives it.
 */
export function slicePositionMm(
  origin: readonly number[],
  spacing: readonly number[],
  direction: readonly number[],
  k: number
): number {
  return origin[2] + direction[8] * k * spacing[2]
}
