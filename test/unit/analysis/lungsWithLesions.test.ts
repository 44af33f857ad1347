import { describe, expect, it } from 'vitest'
import { absorbInfectionIntoLungs } from '../../../src/main/analysis/lungsWithLesions'
import type { LungMask } from '../../../src/main/lungs/lungMask'

/** A 10×4×1 slice: right lung in columns 0–2, left lung in 7–9, nothing between. */
function lungs(): LungMask {
  const labels = new Uint8Array(40)
  for (let j = 0; j < 4; j++) for (let i = 0; i < 10; i++) labels[j * 10 + i] = i <= 2 ? 1 : i >= 7 ? 2 : 0
  return { labels, dimensions: [10, 4, 1], rightVolumeMl: 12 * 0.5, leftVolumeMl: 12 * 0.5, totalVolumeMl: 24 * 0.5, airwayVoxelCount: 0, separation: 'components' }
}

describe('absorbInfectionIntoLungs', () => {
  it('puts infection at the lung rim into the nearest lung and recounts the volumes', () => {
    const infection = new Uint8Array(40)
    infection[1 * 10 + 3] = 1 // next to the right lung
    infection[2 * 10 + 6] = 1 // next to the left lung
    infection[2 * 10 + 1] = 1 // already inside the right lung
    const out = absorbInfectionIntoLungs(lungs(), infection, 0.5, [2, 2])
    expect(out.labels[1 * 10 + 3]).toBe(1)
    expect(out.labels[2 * 10 + 6]).toBe(2)
    expect(out.rightVolumeMl).toBe(13 * 0.5)
    expect(out.leftVolumeMl).toBe(13 * 0.5)
    expect(out.totalVolumeMl).toBe(26 * 0.5)
  })

  it('leaves infection beyond the radius outside, and the input mask untouched', () => {
    const input = lungs()
    const infection = new Uint8Array(40)
    infection[0 * 10 + 5] = 1 // 3 columns from the right lung, 2 from the left
    const out = absorbInfectionIntoLungs(input, infection, 0.5, [1, 1])
    expect(out.labels[5]).toBe(0)
    expect(out).toBe(input) // nothing absorbed: the same mask
    infection[0 * 10 + 3] = 1
    const grown = absorbInfectionIntoLungs(input, infection, 0.5, [1, 1])
    expect(grown.labels[3]).toBe(1)
    expect(input.labels[3]).toBe(0)
  })

  it('finds each voxel\'s own slice and position in a volume of several slices', () => {
    // two slices: the lungs of lungs() in slice 0, only the left lung in slice 1
    const one = lungs()
    const labels = new Uint8Array(80)
    labels.set(one.labels)
    for (let j = 0; j < 4; j++) for (let i = 7; i < 10; i++) labels[40 + j * 10 + i] = 2
    const input: LungMask = { ...one, labels, dimensions: [10, 4, 2], leftVolumeMl: 24 * 0.5, totalVolumeMl: 36 * 0.5 }
    const infection = new Uint8Array(80)
    infection[40 + 3 * 10 + 6] = 1 // slice 1, next to its left lung
    infection[40 + 3 * 10 + 3] = 1 // slice 1, by where slice 0's right lung is: no lung within reach in its own slice
    const out = absorbInfectionIntoLungs(input, infection, 0.5, [2, 2])
    expect(out.labels[40 + 36]).toBe(2)
    expect(out.labels[40 + 33]).toBe(0)
    expect(out.leftVolumeMl).toBe(25 * 0.5)
    expect(out.rightVolumeMl).toBe(12 * 0.5)
  })
})
