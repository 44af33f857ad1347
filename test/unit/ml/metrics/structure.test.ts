import { describe, expect, it } from 'vitest'
import { structureMeasure } from '../../../../src/main/ml/metrics/structure'

/** A binary map and its mask from a predicate over (x, y). */
function binary(width: number, height: number, inside: (x: number, y: number) => boolean) {
  const mask = new Uint8Array(width * height)
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) mask[y * width + x] = inside(x, y) ? 1 : 0
  return { map: Float64Array.from(mask), mask, width, height }
}

describe('S-measure', () => {
  it('is 1 for a perfect binary map, whatever the shape', () => {
    // Object part: foreground mean 1, σ 0 → 2/(1+1) = 1; background of 1 − map likewise → 1.
    // Region part: in every block map = truth, so α = 4x̄²σ² = β (→ 1), or both constant (α = β = 0 → 1).
    const shapes = [
      binary(4, 4, (x, y) => x < 2 && y < 2),
      binary(9, 7, (x, y) => (x - 5) ** 2 + (y - 2) ** 2 < 6),
      binary(16, 11, (x, y) => x > 10 || y === 3)
    ]
    for (const { map, mask, width, height } of shapes) {
      expect(structureMeasure(map, mask, width, height)).toBeCloseTo(1, 12)
    }
  })

  it('uses 1 − mean for an empty ground truth and mean for a full one', () => {
    const map = Float64Array.from([0, 0.25, 0.5, 1])
    expect(structureMeasure(map, new Uint8Array(4), 2, 2)).toBe(1 - 0.4375)
    expect(structureMeasure(map, new Uint8Array(4).fill(1), 2, 2)).toBe(0.4375)
  })

  it('stays finite when the centroid falls on the last column (empty right blocks)', () => {
    // Truth only in the last column of a 3×2 image: centroid X = 3 = width, so the right blocks are
    // 0 columns wide (weight 0). The reference would average an empty block into NaN.
    const { mask } = binary(3, 2, (x) => x === 2)
    const map = Float64Array.from([0, 0, 1, 0, 0, 1])
    // Object part 1 (map = truth). Region: X = 3, Y = round(1.5) = 2, so the top-left block is the
    // whole image (weight 1), where map = truth → 1; the other three blocks are empty. S = 1.
    expect(structureMeasure(map, mask, 3, 2)).toBeCloseTo(1, 12)
  })
})
