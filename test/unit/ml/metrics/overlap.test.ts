import { describe, expect, it } from 'vitest'
import { minMaxNormalise } from '../../../../src/main/ml/metrics/images'
import { PROTOCOL_THRESHOLDS, THRESHOLD_COUNT, firstThresholdReached } from '../../../../src/main/ml/metrics/overlap'

describe('protocol thresholds', () => {
  it('are linspace(1, 0, 256)', () => {
    expect(THRESHOLD_COUNT).toBe(256)
    expect(PROTOCOL_THRESHOLDS[0]).toBe(1)
    expect(PROTOCOL_THRESHOLDS[255]).toBe(0)
    for (let k = 0; k < 256; k++) expect(PROTOCOL_THRESHOLDS[k]).toBeCloseTo(1 - k / 255, 15)
  })

  it('let 8-bit level v pass exactly from threshold v/255 on (k = 255 − v)', () => {
    const levels = Uint8Array.from({ length: 256 }, (_, v) => v)
    const normalised = minMaxNormalise(levels)
    for (let v = 0; v < 256; v++) expect(firstThresholdReached(normalised[v])).toBe(255 - v)
  })

  it('agree with a direct value >= threshold scan for arbitrary values', () => {
    let seed = 12345
    const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648
    const values = [0, 1, 0.5, 1e-300, 1 - 2 ** -53, ...Array.from({ length: 2000 }, random)]
    for (const value of values) {
      const direct = PROTOCOL_THRESHOLDS.findIndex((t) => value >= t)
      expect(firstThresholdReached(value)).toBe(direct)
    }
  })
})
