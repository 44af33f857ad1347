import { describe, expect, it } from 'vitest'
import {
  CTSS_SEVERE_THRESHOLD,
  DEFAULT_SEVERITY_CUTOFFS,
  finalScores,
  latestRegionEdits,
  lobarScore,
  regionEdited,
  regionFinalScore,
  severityClass,
  shareAgreeingWith,
  type AutomaticScores
} from '../../../src/shared/severityScoring'

/**
 * A lung of 20 regions of 100 mL each (4 per lobe, RUL R1–R4 … LLL L7–L10 for simplicity), with
 * the given infected percentage per region; scores computed by the scales themselves.
 */
function automatic(percents: number[]): AutomaticScores {
  const lobes = ['RUL', 'RML', 'RLL', 'LUL', 'LLL']
  const ids = [...Array(10).keys()].map((n) => `R${n + 1}`).concat([...Array(10).keys()].map((n) => `L${n + 1}`))
  const regions = ids.map((id, n) => ({
    id,
    lobe: lobes[Math.floor(n / 4)],
    lungVolumeMl: 100,
    percent: percents[n],
    score: percents[n] <= 0 || percents[n] < 0.1 ? 0 : percents[n] < 50 ? 1 : 2
  }))
  const lobeRows = lobes.map((id) => {
    const members = regions.filter((r) => r.lobe === id)
    const percent = members.reduce((s, r) => s + r.percent, 0) / members.length
    return { id, lungVolumeMl: 400, percent, score: lobarScore(percent) }
  })
  const total = percents.reduce((a, b) => a + b, 0) / percents.length
  return {
    regions,
    lobes: lobeRows,
    lungVolumeMl: 2000,
    percentInfected: total,
    options: { noiseFloorPercent: 0.1, infectionPresentPercent: 0.1, severityCutoffs: DEFAULT_SEVERITY_CUTOFFS }
  }
}

describe('finalScores: one rule for CT-SS, lobar score and severity', () => {
  it('a lobe agrees with its regions: one the radiologist scores involved is at least 1, one cleared is 0', () => {
    const at = '2026-01-01T10:00:00Z'
    // nothing measured: scoring R1 1 counts it at the noise floor, 0.1 %, a lobe mean of 0.025 %
    // (below the floor), yet the lobe has an involved region
    const clear = finalScores(automatic(Array(20).fill(0)), [{ regionId: 'R1', score: 1, by: 'Dr A', at }])
    expect(clear.lobes.find((l) => l.id === 'RUL')).toMatchObject({ automatic: 0, final: 1, finalPercent: 0.025 })
    expect(clear.lobar).toEqual({ automatic: 0, final: 1 })
    expect(clear.severity.final).toBe('mild')
    // R1 at 0.4 % (score 1) and R2 at 0.45 %, 0.45 mL: under the 0.5 mL minimum, so scored 0.
    // Clearing R1 leaves the lobe at 0.1125 %, above the floor, with no involved region → 0, not a
    // lobe score from R2's trace
    const a = automatic([0.4, 0.45, ...Array(18).fill(0)])
    a.regions[1].score = 0
    const trace = finalScores(a, [{ regionId: 'R1', score: 0, by: 'Dr A', at }])
    expect(trace.lobes.find((l) => l.id === 'RUL')).toMatchObject({ automatic: 1, final: 0, finalPercent: 0.1125 })
    expect(trace.lobar.final).toBe(0)
  })

  it('without edits, returns the automatic scores', () => {
    const a = automatic(
      Array(20)
        .fill(0)
        .map((_, n) => (n < 4 ? 20 : 0))
    )
    const s = finalScores(a, [])
    expect(s.ctss).toEqual({ automatic: 4, final: 4, severe: false, automaticSevere: false })
    // RUL at 20 % → 2; nothing else
    expect(s.lobar).toEqual({ automatic: 2, final: 2 })
    expect(s.severity).toEqual({ automatic: 'mild', final: 'mild' })
    expect(s.edited).toBe(false)
  })

  it('the radiologist’s region scores move the lobar score and the severity class, not only CT-SS', () => {
    // RUL regions at 20 % (score 1 each), lobe 20 % → 2; all else clear
    const a = automatic(
      Array(20)
        .fill(0)
        .map((_, n) => (n < 4 ? 20 : 0))
    )
    const at = '2026-01-01T10:00:00Z'
    // the radiologist sees ≥ 50 % in all four RUL regions and involvement in every RLL region (R9–R10 + … )
    const edits = ['R1', 'R2', 'R3', 'R4'].map((regionId) => ({ regionId, score: 2, by: 'Dr A', at }))
    const s = finalScores(a, edits)
    expect(s.ctss.final).toBe(8)
    // each RUL region now counts with 50 % (the nearest share that is ≥ 50 %): the lobe 50 % → 4
    expect(s.lobes.find((l) => l.id === 'RUL')).toMatchObject({ automatic: 2, final: 4, finalPercent: 50 })
    expect(s.lobar).toEqual({ automatic: 2, final: 4 })
    expect(s.severity.final).toBe('mild')

    // scoring 2 in every region: CT-SS 40 (severe), every lobe ≥ 50 % → 4, lobar 20 → severe
    const all = a.regions.map((r) => ({ regionId: r.id, score: 2, by: 'Dr A', at }))
    const severe = finalScores(a, all)
    expect(severe.ctss).toMatchObject({ final: 40, severe: true, automaticSevere: false })
    expect(severe.lobar.final).toBe(20)
    expect(severe.severity).toEqual({ automatic: 'mild', final: 'severe' })
  })

  it('scoring every region 0 clears the infection: lobar 0, severity none', () => {
    const a = automatic(Array(20).fill(3))
    expect(finalScores(a, []).severity.final).toBe('mild')
    const edits = a.regions.map((r) => ({ regionId: r.id, score: 0, by: 'Dr B', at: '2026-01-01T00:00:00Z' }))
    const s = finalScores(a, edits)
    expect(s.ctss.final).toBe(0)
    expect(s.lobar.final).toBe(0)
    expect(s.infectionPresent).toEqual({ automatic: true, final: false })
    expect(s.severity.final).toBe('none')
  })

  it('the latest edit of a region wins, by time, whatever the stored order', () => {
    const edits = [
      { regionId: 'R1', score: 0, by: 'b', at: '2026-01-02T00:00:00Z' },
      { regionId: 'R1', score: 2, by: 'a', at: '2026-01-01T00:00:00Z' },
      { regionId: 'R2', score: 1, by: 'a', at: '2026-01-01T00:00:00Z' },
      { regionId: 'R2', score: 2, by: 'c', at: '2026-01-01T00:00:00Z' }
    ]
    const latest = latestRegionEdits(edits)
    expect(latest.get('R1')).toMatchObject({ score: 0, by: 'b' })
    // a tie in time keeps the stored order: the later entry wins
    expect(latest.get('R2')).toMatchObject({ score: 2, by: 'c' })
    const a = automatic(
      Array(20)
        .fill(0)
        .map((_, n) => (n < 2 ? 60 : 0))
    )
    expect(
      finalScores(a, edits)
        .regions.slice(0, 2)
        .map((r) => r.final)
    ).toEqual([0, 2])
  })

  it('an edit back to the automatic score changes nothing; unknown regions and scores are refused', () => {
    const a = automatic(
      Array(20)
        .fill(0)
        .map((_, n) => (n === 0 ? 30 : 0))
    )
    const confirmed = finalScores(a, [{ regionId: 'R1', score: 1, by: 'a', at: 'x' }])
    expect(confirmed.lobar.final).toBe(confirmed.lobar.automatic)
    expect(confirmed.edited).toBe(true)
    expect(() => finalScores(a, [{ regionId: 'R99', score: 1, by: 'a', at: 'x' }])).toThrow(/unknown region R99/)
    expect(() => finalScores(a, [{ regionId: 'R1', score: 3, by: 'a', at: 'x' }])).toThrow(/0, 1 or 2/)
  })

  it('the shares that agree with a score, the severe cut-off and the severity bands', () => {
    expect(shareAgreeingWith(0, 30, 0.1)).toBe(0)
    expect(shareAgreeingWith(1, 0, 0.1)).toBe(0.1)
    expect(shareAgreeingWith(1, 70, 0.1)).toBeCloseTo(49.999)
    expect(shareAgreeingWith(2, 10, 0.1)).toBe(50)
    expect(shareAgreeingWith(2, 80, 0.1)).toBe(80)
    expect(CTSS_SEVERE_THRESHOLD).toBe(19.5)
    expect([7, 8, 17, 18].map((t) => severityClass(t, true))).toEqual(['mild', 'moderate', 'moderate', 'severe'])
  })

  it('lets the latest edit win, and carries an edit on the region only when it changed the score', () => {
    expect(regionFinalScore({ score: 1, edited: null })).toBe(1)
    expect(regionFinalScore({ score: 1, edited: { score: 0 } })).toBe(0)
    expect(regionFinalScore({ score: 2 })).toBe(2)
    const edit = { regionId: 'RUL-1', score: 2, by: 'dr a', at: '2026-01-02T10:00:00Z' }
    expect(regionEdited(edit, 1)).toEqual({ score: 2, by: 'dr a', at: '2026-01-02T10:00:00Z' })
    // an edit back to the automatic score leaves nothing to show
    expect(regionEdited(edit, 2)).toBeNull()
    expect(regionEdited(undefined, 0)).toBeNull()
  })
})
