import { describe, expect, it } from 'vitest'
import {
  fillPolygon,
  floodFill,
  stampDisk,
  stampLine,
  type SliceTarget
} from '../../../src/renderer/src/annotation/paint'
import { applyPatch, diffSlice, slicesEqual } from '../../../src/renderer/src/annotation/patch'

function target(nx: number, ny: number, paintable: (i: number) => boolean = () => true): SliceTarget {
  return { nx, ny, slice: new Uint8Array(nx * ny), paintable }
}

const count = (slice: Uint8Array, value: number): number => slice.reduce((n, v) => n + (v === value ? 1 : 0), 0)

describe('mask painting on one slice', () => {
  it('stamps a disk of the brush diameter: voxel centres within the radius', () => {
    const t = target(32, 32)
    stampDisk(t, { x: 16, y: 16 }, 10, 1, true)
    // centres at distance <= 5 from (16, 16): the discrete disk of radius 5 around a grid corner
    let expected = 0
    for (let y = 0; y < 32; y++)
      for (let x = 0; x < 32; x++) if ((x + 0.5 - 16) ** 2 + (y + 0.5 - 16) ** 2 <= 25) expected++
    expect(count(t.slice, 1)).toBe(expected)
    expect(t.slice[16 * 32 + 16]).toBe(1)
    expect(t.slice[16 * 32 + 22]).toBe(0)
  })

  it('a size-1 brush paints exactly the voxel under the pointer', () => {
    const t = target(8, 8)
    stampDisk(t, { x: 3.9, y: 5.1 }, 1, 2, true)
    expect(count(t.slice, 2)).toBe(1)
    expect(t.slice[5 * 8 + 3]).toBe(2)
  })

  it('a line leaves no gap between distant pointer events', () => {
    const t = target(64, 16)
    stampLine(t, { x: 2, y: 8 }, { x: 60, y: 8 }, 2, 1, true)
    for (let x = 2; x < 60; x++) expect(t.slice[8 * 64 + x]).toBe(1)
  })

  it('constraints stop painting; erasing ignores them', () => {
    const t = target(16, 16, (i) => i % 16 < 8)
    stampDisk(t, { x: 8, y: 8 }, 8, 1, true)
    for (let y = 0; y < 16; y++) for (let x = 8; x < 16; x++) expect(t.slice[y * 16 + x]).toBe(0)
    expect(count(t.slice, 1)).toBeGreaterThan(0)
    t.slice.fill(2)
    stampDisk(t, { x: 8, y: 8 }, 4, 0, false)
    expect(t.slice[8 * 16 + 9]).toBe(0)
  })

  it('flood fill stays inside a closed label ring and honours the constraint', () => {
    const t = target(20, 20)
    for (let i = 4; i <= 14; i++) {
      t.slice[4 * 20 + i] = 2
      t.slice[14 * 20 + i] = 2
      t.slice[i * 20 + 4] = 2
      t.slice[i * 20 + 14] = 2
    }
    expect(floodFill(t, { x: 9.5, y: 9.5 }, 1)).toBe(9 * 9)
    expect(t.slice[0]).toBe(0)
    const limited = target(20, 20, (i) => Math.floor(i / 20) < 10)
    expect(floodFill(limited, { x: 1, y: 1 }, 1)).toBe(20 * 10)
  })

  it('fills a polygon by voxel centres (even-odd)', () => {
    const t = target(20, 20)
    expect(
      fillPolygon(
        t,
        [
          { x: 2, y: 2 },
          { x: 12, y: 2 },
          { x: 12, y: 7 },
          { x: 2, y: 7 }
        ],
        1
      )
    ).toBe(10 * 5)
    expect(t.slice[2 * 20 + 2]).toBe(1)
    expect(t.slice[7 * 20 + 2]).toBe(0)
  })
})

describe('edit history and the wire form of edited slices', () => {
  it('a patch undoes and redoes exactly', () => {
    const before = new Uint8Array([0, 0, 1, 2, 0, 0])
    const after = new Uint8Array([1, 0, 1, 0, 0, 2])
    const patch = diffSlice(3, before, after, 'brush stroke')!
    expect(Array.from(patch.indices)).toEqual([0, 3, 5])
    const slice = after.slice()
    applyPatch(slice, patch, 'undo')
    expect(slicesEqual(slice, before)).toBe(true)
    applyPatch(slice, patch, 'redo')
    expect(slicesEqual(slice, after)).toBe(true)
    expect(diffSlice(3, before, before.slice(), 'nothing')).toBeNull()
  })

})
