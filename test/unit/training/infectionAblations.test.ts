import { describe, expect, it } from 'vitest'
import { ablationTable, byGroup, pairedDifference } from '../../../src/main/training/infectionAblations'
import type { LabelledSlice } from '../../../src/main/training/labelledSlices'

describe('infection ablations', () => {
  it('groups held-out slices by volume group from their file names', () => {
    const slice = (name: string) => ({ name }) as LabelledSlice
    const groups = byGroup([slice('coronacases-02-0159'), slice('coronacases-05-0001'), slice('coronacases-02-0160')])
    expect([...groups].map(([g, s]) => [g, s.length])).toEqual([
      ['coronacases-02', 2],
      ['coronacases-05', 1]
    ])
  })

  it('pairs each split with the pool: groups first, then folds; counts the wins', () => {
    const pool = { heldOutGroups: { a: 0.5, b: 0.4 }, semisegFolds: [0.3, 0.2] }
    const row = { heldOutGroups: { a: 0.6, b: 0.3 }, semisegFolds: [0.35, 0.2] }
    const d = pairedDifference(row, pool)
    expect(d.differences.map((x) => Math.round(x * 1000) / 1000)).toEqual([0.1, -0.1, 0.05, 0])
    expect(d.mean).toBeCloseTo(0.0125, 10)
    expect(d.wins).toBe(2)
    expect(ablationTable([{ name: 'ablation-x', seconds: 600, trainingSlices: 1257, heldOut: { dice: 0.4 }, semiseg: { dice: 0.3 }, versusPool: d }])).toContain(
      '| ablation-x | 1257 | 10 | 0.400 | 0.300 | +0.012 | 2/4 |'
    )
  })
})
