import { describe, expect, it } from 'vitest'
import { lobeSummary, matchedSlice, percentTrend, TREND_MIN_POINTS, TREND_MIN_RELATIVE } from '../../../src/shared/followUp'

describe('the improved / stable / worse rule', () => {
  it('reads the same value, and changes within the noise, as stable', () => {
    expect(percentTrend(12, 12)).toBe('stable')
    expect(percentTrend(0, 1.9)).toBe('stable') // under 2 points: a normal lung's false positives
    expect(percentTrend(40, 31)).toBe('stable') // 9 points but under 25 % of 40: inspiration
  })
  it('calls a change beyond both thresholds improved or worse', () => {
    expect(percentTrend(12, 4.1)).toBe('improved')
    expect(percentTrend(4.1, 12)).toBe('worse')
    expect(percentTrend(0, TREND_MIN_POINTS)).toBe('worse')
    expect(percentTrend(40, 40 * (1 - TREND_MIN_RELATIVE))).toBe('improved')
  })
  it('writes the summary line the issue asks for', () => {
    expect(lobeSummary({ id: 'LLL', before: 12, after: 4.1, trend: 'improved' })).toBe('LLL 12.0 % → 4.1 %, improved')
    expect(lobeSummary({ id: 'RML', before: 0.25, after: 0, trend: 'stable' })).toBe('RML 0.25 % → 0.0 %, stable')
  })
})

describe('levels matched by the lungs’ extent', () => {
  // P002-like: 133 slices, lungs from slice 120 (apex, slices ascending headwards) to slice 20
  const earlier = { apexSlice: 120, baseSlice: 20 }
  // a later scan with 160 slices running the other way (apex first), lungs from 15 to 140
  const later = { apexSlice: 15, baseSlice: 140 }
  it('maps apex to apex, base to base and the middle to the middle, whatever the slice order', () => {
    expect(matchedSlice(120, earlier, later, 160)).toBe(15)
    expect(matchedSlice(20, earlier, later, 160)).toBe(140)
    expect(matchedSlice(70, earlier, later, 160)).toBe(78) // half way: 15 + 0.5 × 125 = 77.5 → 78
    expect(matchedSlice(matchedSlice(70, earlier, later, 160), later, earlier, 133)).toBe(70)
  })
  it('stays inside the later series beyond the lungs', () => {
    expect(matchedSlice(132, earlier, later, 160)).toBe(0)
    expect(matchedSlice(0, earlier, later, 160)).toBe(159)
  })
})
