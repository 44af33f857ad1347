import { describe, expect, it } from 'vitest'
import { join } from 'node:path'
import { equaliseGrey } from '../../../../src/main/ml/inference/equalise'
import { applyWindow } from '../../../../src/main/volume/window'
import { readRaster } from '../../../../src/main/volume'
import { semisegTrain } from '../../../helpers/paths'

describe('equaliseGrey (the one input representation)', () => {
  it('gives each grey level its mid-rank in the image', () => {
    // four levels, one pixel each: ranks 0.5, 1.5, 2.5, 3.5 of 4 → 32, 96, 159, 223
    expect([...equaliseGrey(Uint8Array.from([10, 200, 50, 90]))]).toEqual([32, 223, 96, 159])
    // ties share their mean rank: three 0s and one 255 → 0.375 and 0.875 of 255
    expect([...equaliseGrey(Uint8Array.from([0, 0, 0, 255]))]).toEqual([96, 96, 96, 223])
  })

  it('is unchanged by any increasing grey mapping: two windows of the same HU give the same input', () => {
    // a synthetic HU slice: air, lung, ground glass, soft tissue, bone
    const hu = Float32Array.from({ length: 4096 }, (_, i) => [-1000, -850, -600, 40, 700][i % 5] + ((i * 7919) % 37) - 18)
    const narrow = applyWindow(hu, -350, 1400) // Pulmo's model window
    const lung = applyWindow(hu, -600, 1500) // the radiologists' lung window
    const a = equaliseGrey(narrow)
    const b = equaliseGrey(lung)
    let maxDifference = 0
    for (let i = 0; i < a.length; i++) maxDifference = Math.max(maxDifference, Math.abs(a[i] - b[i]))
    // the windows differ in grey levels by up to 40 per tissue; after equalisation only rounding of
    // the 8-bit windows' merged levels remains
    expect(maxDifference).toBeLessThanOrEqual(8)
  })

  it("makes a real windowed slice's grey levels uniform (mean ≈ 127.5)", async () => {
    const v = await readRaster(join(semisegTrain, 'images', '0.jpg'))
    const out = equaliseGrey(v.data as Uint8Array)
    const mean = out.reduce((a, b) => a + b, 0) / out.length
    expect(mean).toBeGreaterThan(120)
    expect(mean).toBeLessThan(135)
  })
})
