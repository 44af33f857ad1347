import { describe, expect, it } from 'vitest'
import { clearInside, keepInside } from '../../../src/main/morphology/maskOps'

/** Seeded masks of runs (as CT masks are) with any label values, at any length and byte offset. */
function runs(length: number, offset: number, seed: number): Uint8Array {
  let s = seed
  const random = (): number => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648
  const out = new Uint8Array(length + offset).subarray(offset)
  let v = 0
  while (v < length) {
    const run = 1 + Math.floor(random() * 9)
    const value = random() < 0.5 ? 0 : 1 + Math.floor(random() * 255)
    out.fill(value, v, Math.min(length, v + run))
    v += run
  }
  return out
}

describe('keepInside / clearInside (whole-volume masking, a word at a time)', () => {
  it.each([
    [4096, 0, 0],
    [4099, 0, 0],
    [4096, 1, 0],
    [4097, 0, 3]
  ])('give the voxel-by-voxel loop exactly: %i voxels, offsets %i and %i', (length, targetOffset, maskOffset) => {
    for (let trial = 0; trial < 20; trial++) {
      const target = runs(length, targetOffset, 7 + trial)
      const mask = runs(length, maskOffset, 1000 + trial)
      const kept = target.slice()
      const cleared = target.slice()
      keepInside(kept, mask)
      clearInside(cleared, mask)
      let keptDiff = 0
      let clearedDiff = 0
      for (let v = 0; v < length; v++) {
        if (kept[v] !== (mask[v] === 0 ? 0 : target[v])) keptDiff++
        if (cleared[v] !== (mask[v] !== 0 ? 0 : target[v])) clearedDiff++
      }
      expect([keptDiff, clearedDiff]).toEqual([0, 0])
      // and the masks did something: both kept and cleared voxels exist
      expect(kept.some((x, v) => x !== target[v])).toBe(true)
      expect(cleared.some((x, v) => x !== target[v])).toBe(true)
    }
  })

  it('refuses a mask of another size', () => {
    expect(() => keepInside(new Uint8Array(8), new Uint8Array(7))).toThrow(/does not match/)
    expect(() => clearInside(new Uint8Array(8), new Uint8Array(9))).toThrow(/does not match/)
  })
})
