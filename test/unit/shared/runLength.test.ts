import { describe, expect, it } from 'vitest'
import { decodeRuns, encodeRuns } from '../../../src/shared/runLength'

describe('run-length codec of mask slices', () => {
  it('encodes a known slice to its pairs and decodes them back to the same voxels', () => {
    const slice = new Uint8Array(512 * 512)
    slice.fill(1, 1000, 1500)
    slice.fill(2, 1500, 1510)
    slice[262143] = 1
    const runs = encodeRuns(slice)
    expect(runs).toEqual([0, 1000, 1, 500, 2, 10, 0, 262143 - 1510, 1, 1])
    const decoded = new Uint8Array(slice.length).fill(7)
    decodeRuns(runs, decoded, 0)
    expect(Array.from(decoded)).toEqual(Array.from(slice))
  })

  it('refuses pairs that do not cover the slice exactly or hold an unknown label', () => {
    const out = new Uint8Array(10)
    expect(() => decodeRuns([0, 9], out, 4)).toThrow("Slice 4: runs cover 9 of the slice's 10 voxels.")
    expect(() => decodeRuns([0, 11], out, 4)).toThrow("Slice 4: runs cover more than the slice's 10 voxels.")
    expect(() => decodeRuns([3, 10], out, 4)).toThrow('Slice 4: label 3 is not 0, 1 or 2.')
    expect(() => decodeRuns([0], out, 4)).toThrow('Slice 4: runs must be value/count pairs.')
  })
})
