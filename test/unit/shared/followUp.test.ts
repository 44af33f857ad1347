import { describe, expect, it } from 'vitest'
import { extentTrend, lobeSummary, lungsSummary, matchedSlice, percentTrend, TREND_MIN_POINTS, TREND_MIN_RELATIVE, TREND_NOISE_ML } from '../../../src/shared/followUp'

describe('the points rule (percent infected alone)', () => {
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
})

describe('the resolved / improved / stable / worse rule (mL and percent)', () => {
  it("reads the issue's lobe going from 11.5 mL to 0.4 mL as resolved, not stable", () => {
    // a 1000 mL lobe: 1.15 % → 0.04 %, one point: the points rule alone said stable
    expect(percentTrend(1.15, 0.04)).toBe('stable')
    expect(extentTrend({ infectedMl: 11.5, percent: 1.15 }, { infectedMl: 0.4, percent: 0.04 })).toBe('resolved')
  })
  it('reads a lobe left with no more than a normal scan’s false positives as resolved', () => {
    // P002's LLL against normal002's: 95.6 mL → 0.8 mL, 0.11 % (involved by the scores' rule, but noise)
    expect(extentTrend({ infectedMl: 95.6, percent: 10.3 }, { infectedMl: 0.8, percent: 0.11 })).toBe('resolved')
    expect(extentTrend({ infectedMl: 95.6, percent: 10.3 }, { infectedMl: TREND_NOISE_ML, percent: 0.3 })).toBe('improved')
  })
  it('calls a fall beyond the noise that leaves the lobe involved improved, and a rise worse', () => {
    expect(extentTrend({ infectedMl: 69, percent: 6.9 }, { infectedMl: 20, percent: 2 })).toBe('improved')
    expect(extentTrend({ infectedMl: 20, percent: 2 }, { infectedMl: 69, percent: 6.9 })).toBe('worse')
    expect(extentTrend({ infectedMl: 0, percent: 0 }, { infectedMl: 5, percent: 0.5 })).toBe('worse')
  })
  it('keeps changes within the measured noise or under 25 % stable, whichever way', () => {
    // normal002's 1.16 mL of false positives in its RLL against a clear lobe
    expect(extentTrend({ infectedMl: 1.16, percent: 0.09 }, { infectedMl: 0, percent: 0 })).toBe('stable')
    expect(extentTrend({ infectedMl: 0.6, percent: 0.3 }, { infectedMl: 0.4, percent: 0.2 })).toBe('stable')
    expect(extentTrend({ infectedMl: 0, percent: 0 }, { infectedMl: TREND_NOISE_ML - 0.01, percent: 0.2 })).toBe('stable')
    expect(extentTrend({ infectedMl: 100, percent: 10 }, { infectedMl: 80, percent: 8.5 })).toBe('stable') // −20 %, one breath
    expect(extentTrend({ infectedMl: 12, percent: 1.2 }, { infectedMl: 12, percent: 1.2 })).toBe('stable')
  })
  it('writes the summary lines with the volumes and the score changes', () => {
    const ml = (before: number, after: number) => ({ before, after, change: after - before })
    expect(lobeSummary({ id: 'LLL', before: 12, after: 4.1, trend: 'improved', infectedVolumeMl: ml(95.2, 32.1) })).toBe('LLL 12.0 % → 4.1 % (95.2 → 32.1 mL), improved')
    expect(lobeSummary({ id: 'RML', before: 0.25, after: 0, trend: 'stable', infectedVolumeMl: ml(0.4, 0) })).toBe('RML 0.25 % → 0.0 % (0.4 → 0.0 mL), stable')
    const line = lungsSummary({
      percentInfected: { before: { total: 1.6, left: 1, right: 2 }, after: { total: 0.06, left: 0.05, right: 0.07 } },
      infectedVolumeMl: ml(80, 3),
      trend: 'resolved',
      interval_days: 14,
      ctss: ml(9, 2),
      lobar: ml(4, 1),
      lobes: [{ id: 'RLL', trend: 'resolved' }, { id: 'LLL', trend: 'resolved' }, { id: 'LUL', trend: 'improved' }, { id: 'RUL', trend: 'stable' }]
    })
    expect(line).toBe('Lungs 1.6 % → 0.06 % infected (80.0 → 3.0 mL), resolved over 14 days; CT-SS 9 → 2 (−7) of 40, lobar score 4 → 1 (−3) of 25; resolved: RLL, LLL; improved: LUL.')
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
