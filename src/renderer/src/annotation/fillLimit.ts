/**
 * How far a fill may spread. An annotator who clicks in a lung expects that lung filled, not the
 * whole slice: without a constraint, the fill stays inside the lung clicked (from the lung mask),
 * or inside the body when the click is outside the lungs, and a click in the air around the
 * patient is refused with the reason.
 */

export type FillLimit = { inside: (index: number) => boolean; region: string } | { refused: string }

export interface FillSlice {
  nx: number
  ny: number
  /** Index of the clicked voxel in the slice. */
  seed: number
  /** The lung mask of the slice (0 outside, 1 right, 2 left), or null before any analysis. */
  lungs: ArrayLike<number> | null
  /** The image values of the slice (HU or grey). */
  values: ArrayLike<number> | null
  /** Values below this are air (HU −500; for a grey image a low grey level). */
  airBelow: number
  /** The active constraints (inside the lung, HU range), when any is set: they bound the fill instead. */
  constraint: { inside: (index: number) => boolean; region: string } | null
}

/**
 * The body of a slice: everything but the air connected to the image border (4-connected), so the
 * lungs and bowel gas inside the patient count as body and the table's surroundings do not.
 */
export function bodyMask2d(values: ArrayLike<number>, nx: number, ny: number, airBelow: number): Uint8Array {
  const body = new Uint8Array(nx * ny).fill(1)
  const stack = new Int32Array(nx * ny)
  let top = 0
  const visit = (index: number): void => {
    if (body[index] === 1 && values[index] < airBelow) {
      body[index] = 0
      stack[top++] = index
    }
  }
  for (let x = 0; x < nx; x++) {
    visit(x)
    visit(x + (ny - 1) * nx)
  }
  for (let y = 0; y < ny; y++) {
    visit(y * nx)
    visit(nx - 1 + y * nx)
  }
  while (top > 0) {
    const index = stack[--top]
    const x = index % nx
    if (x > 0) visit(index - 1)
    if (x < nx - 1) visit(index + 1)
    if (index >= nx) visit(index - nx)
    if (index + nx < nx * ny) visit(index + nx)
  }
  return body
}

const lungNames: Record<number, string> = { 1: 'the right lung', 2: 'the left lung' }

export function fillLimit(slice: FillSlice): FillLimit {
  if (slice.constraint) return slice.constraint
  const { lungs, seed } = slice
  const side = lungs ? lungs[seed] : 0
  if (lungs && side !== 0) return { inside: (index) => lungs[index] === side, region: lungNames[side] ?? 'the lung' }
  if (!slice.values) return { refused: 'Fill needs a bounded region: set “Paint only inside the lung” or an HU range.' }
  const body = bodyMask2d(slice.values, slice.nx, slice.ny, slice.airBelow)
  if (body[seed] === 0) {
    return {
      refused:
        'Fill stays inside the region you click: this point is in the air outside the body. Click inside a lung or the body, or use the brush or lasso.'
    }
  }
  // Outside the lungs, the fill keeps to the body and does not run into a lung.
  if (lungs) return { inside: (index) => body[index] === 1 && lungs[index] === 0, region: 'the body outside the lungs' }
  return { inside: (index) => body[index] === 1, region: 'the body' }
}
