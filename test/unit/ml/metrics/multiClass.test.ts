import { describe, expect, it } from 'vitest'
import { classCounts, classDice, multiClassScores } from '../../../../src/main/ml/metrics/multiClass'

describe('multi-class Dice, sensitivity and specificity', () => {
  it('scores a hand-made case by the documented rules', () => {
    // 2×4 slices. Slice A: ground-glass truth {0,1,2}, predicted {1,2,3}: tp 2, fp 1, fn 1 → Dice 4/6.
    // Consolidation truth {4}, predicted {4,5}: tp 1, fp 1 → Dice 2/3.
    const truthA = Uint8Array.from([1, 1, 1, 0, 2, 0, 0, 0])
    const predA = Uint8Array.from([0, 1, 1, 1, 2, 2, 0, 0])
    expect(classCounts(predA, truthA, 1)).toEqual({ tp: 2, fp: 1, fn: 1, tn: 4 })
    expect(classDice(classCounts(predA, truthA, 1))).toBeCloseTo(2 / 3, 12)
    // Slice B: no consolidation anywhere → Dice 1; ground-glass predicted but absent → Dice 0.
    const truthB = Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 0])
    const predB = Uint8Array.from([1, 0, 0, 0, 0, 0, 0, 0])
    const s = multiClassScores([
      { predicted: predA, truth: truthA },
      { predicted: predB, truth: truthB }
    ])
    expect(s.slices).toBe(2)
    expect(s.diceGroundGlass).toBeCloseTo((2 / 3 + 0) / 2, 12)
    expect(s.diceConsolidation).toBeCloseTo((2 / 3 + 1) / 2, 12)
    expect(s.meanDice).toBeCloseTo((s.diceGroundGlass + s.diceConsolidation) / 2, 12)
    // Pooled over both slices: ground-glass tp 2, fn 1, fp 2, tn 11; consolidation tp 1, fn 0, fp 1, tn 14.
    expect(s.sensitivityGroundGlass).toBeCloseTo(2 / 3, 12)
    expect(s.specificityGroundGlass).toBeCloseTo(11 / 13, 12)
    expect(s.sensitivityConsolidation).toBe(1)
    expect(s.specificityConsolidation).toBeCloseTo(14 / 15, 12)
    expect(s).toMatchObject({ slicesWithGroundGlass: 1, slicesWithConsolidation: 1 })
  })
})
