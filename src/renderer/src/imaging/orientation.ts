/**
 * Patient-orientation letters for the edges of an axial view, from the volume's direction cosines
 * (row-major 3×3, column c = axis c in LPS): +x is the patient's Left, +y Posterior, +z Superior.
 */
const positiveLetters = ['L', 'P', 'S'] as const
const negativeLetters = ['R', 'A', 'I'] as const

function axisLetter(direction: readonly number[], axis: number, sign: 1 | -1): string {
  const vector = [direction[axis], direction[3 + axis], direction[6 + axis]].map((component) => component * sign)
  let dominant = 0
  for (let i = 1; i < 3; i++) if (Math.abs(vector[i]) > Math.abs(vector[dominant])) dominant = i
  return vector[dominant] >= 0 ? positiveLetters[dominant] : negativeLetters[dominant]
}

export interface EdgeLabels {
  left: string
  right: string
  top: string
  bottom: string
}

/** Screen right is +column (voxel x), screen down is +row (voxel y). */
export function axialEdgeLabels(direction: readonly number[]): EdgeLabels {
  return {
    right: axisLetter(direction, 0, 1),
    left: axisLetter(direction, 0, -1),
    bottom: axisLetter(direction, 1, 1),
    top: axisLetter(direction, 1, -1)
  }
}

/** Patient (LPS) position in mm of voxel (i, j, k): origin + direction · (index ⊙ spacing). */
export function voxelToPatient(
  index: readonly [number, number, number],
  origin: readonly [number, number, number],
  spacing: readonly [number, number, number],
  direction: readonly number[]
): [number, number, number] {
  const scaled = [index[0] * spacing[0], index[1] * spacing[1], index[2] * spacing[2]]
  return [0, 1, 2].map(
    (row) =>
      origin[row] +
      direction[3 * row] * scaled[0] +
      direction[3 * row + 1] * scaled[1] +
      direction[3 * row + 2] * scaled[2]
  ) as [number, number, number]
}

/** Edge letters of a coronal (x across, head up) or sagittal (y across, head up) view. */
export function planeEdgeLabels(
  direction: readonly number[],
  orientation: 'axial' | 'coronal' | 'sagittal',
  flipZ: boolean
): EdgeLabels {
  if (orientation === 'axial') return axialEdgeLabels(direction)
  const across = orientation === 'coronal' ? 0 : 1
  const down: 1 | -1 = flipZ ? -1 : 1
  return {
    right: axisLetter(direction, across, 1),
    left: axisLetter(direction, across, -1),
    bottom: axisLetter(direction, 2, down),
    top: axisLetter(direction, 2, -down as 1 | -1)
  }
}
