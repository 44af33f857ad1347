import { describe, expect, it } from 'vitest'
import { numberingStep, sliceLabel, sliceNumbering, slicePositionMm } from '../../../src/shared/sliceNumbering'
import { readVolumes } from '../../../src/main/volume'
import { p002 } from '../../helpers/paths'

const headwards = [1, 0, 0, 0, 1, 0, 0, 0, 1]
const feetwards = [1, 0, 0, 0, 1, 0, 0, 0, -1]

describe('slice numbering', () => {
  it('follows InstanceNumber when every slice has a distinct one', () => {
    const numbering = sliceNumbering(4, headwards, [4, 3, 2, 1])
    expect(numbering).toEqual({ numbers: [4, 3, 2, 1], source: 'instance-number' })
    expect(sliceLabel(numbering, 3)).toBe('Im 1')
    expect(numberingStep(numbering)).toBe(-1)
    expect(numberingStep(sliceNumbering(3, headwards, [10, 11, 12]))).toBe(1)
  })

  it('counts from the head without usable instance numbers (missing, repeated or too few)', () => {
    for (const numbers of [null, undefined, [1, 1, 2, 3], [1, 2, 3]]) {
      expect(sliceNumbering(4, headwards, numbers)).toEqual({ numbers: [4, 3, 2, 1], source: 'from-head' })
      expect(sliceNumbering(4, feetwards, numbers)).toEqual({ numbers: [1, 2, 3, 4], source: 'from-head' })
    }
  })

  it('gives the table position of a slice in mm along the head–foot axis', () => {
    expect(slicePositionMm([-162, -293, -437.7], [0.6, 0.6, 2], headwards, 10)).toBeCloseTo(-417.7, 6)
    expect(slicePositionMm([0, 0, 100], [1, 1, 2.5], feetwards, 4)).toBeCloseTo(90, 6)
  })

  it('reads P002 (IM0001 is the top slice): slice k = 132 is Im 1, k = 0 is Im 133', async () => {
    const [volume] = await readVolumes([p002])
    expect(volume.instanceNumbers).toHaveLength(133)
    const numbering = sliceNumbering(133, volume.direction, volume.instanceNumbers)
    expect(numbering.source).toBe('instance-number')
    expect(numbering.numbers[132]).toBe(1)
    expect(numbering.numbers[0]).toBe(133)
    expect(volume.metadata?.sourceFiles?.[132]).toMatch(/IM0001\.dcm$/)
    // InstanceNumber 1 is the most cranial slice of this head-first scan
    expect(slicePositionMm(volume.origin, volume.spacing, volume.direction, 132)).toBeGreaterThan(
      slicePositionMm(volume.origin, volume.spacing, volume.direction, 0)
    )
  })
})
