import { IndexStack } from './indexStack'

/**
 * Marks in `reached` (set to 1) every pixel of one slice whose value equals `openValue` and that is
 * 4-connected to the slice border through such pixels; clears the rest of `reached`.
 * With `openValue` = 1 on an air mask this finds the air around the body; with 0 on an organ mask
 * it finds the background that is not a hole.
 */
export function markBorderConnected2d(
  image: Uint8Array,
  width: number,
  height: number,
  openValue: number,
  reached: Uint8Array,
  stack: IndexStack
): void {
  reached.fill(0, 0, width * height)
  stack.clear()
  for (let x = 0; x < width; x++) {
    stack.push(x)
    stack.push((height - 1) * width + x)
  }
  for (let y = 1; y < height - 1; y++) {
    stack.push(y * width)
    stack.push(y * width + width - 1)
  }
  // Span filling: each pop fills a whole horizontal run, then seeds the runs above and below it,
  // so the stack holds runs rather than pixels.
  while (stack.size > 0) {
    const p = stack.pop()
    if (image[p] !== openValue || reached[p] !== 0) continue
    const y = (p / width) | 0
    const row = y * width
    let left = p
    while (left > row && image[left - 1] === openValue && reached[left - 1] === 0) left--
    let right = p
    while (right < row + width - 1 && image[right + 1] === openValue && reached[right + 1] === 0) right++
    reached.fill(1, left, right + 1)
    if (y > 0) seedRuns(image, reached, openValue, left - width, right - width, stack)
    if (y < height - 1) seedRuns(image, reached, openValue, left + width, right + width, stack)
  }
}

/** Pushes one seed per run of open, unreached pixels in [from, to] (one row). */
function seedRuns(
  image: Uint8Array,
  reached: Uint8Array,
  openValue: number,
  from: number,
  to: number,
  stack: IndexStack
): void {
  let inRun = false
  for (let q = from; q <= to; q++) {
    const open = image[q] === openValue && reached[q] === 0
    if (open && !inRun) stack.push(q)
    inRun = open
  }
}

/**
 * Fills the holes of a binary slice in place: background pixels (0) not 4-connected to the border
 * become 1. This is what puts vessels and a consolidation surrounded by aerated lung back inside
 * the lung.
 */
export function fillHoles2d(
  mask: Uint8Array,
  width: number,
  height: number,
  scratch: Uint8Array,
  stack: IndexStack
): void {
  markBorderConnected2d(mask, width, height, 0, scratch, stack)
  for (let p = 0; p < width * height; p++) {
    if (mask[p] === 0 && scratch[p] === 0) mask[p] = 1
  }
}
