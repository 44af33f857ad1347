/**
 * Per-class figures of multi-class segmentation (0 background, 1 ground-glass, 2 consolidation)
 * on label maps.
 *
 * - Dice per class: on arg-max labels at each slice's own size, one Dice per slice, averaged over
 *   slices. A slice where a class is in neither the prediction nor the ground truth scores Dice 1
 *   for that class (the class was correctly found absent); a slice with it in only one of them
 *   scores 0. `slicesWithGroundGlass` / `slicesWithConsolidation` say on how many slices the class
 *   is actually present, to read the averages with.
 * - meanDice: the mean of the two classes' Dice.
 * - sensitivity / specificity per class: pooled over all pixels of all slices (one-vs-rest), so
 *   that slices without the class need no convention.
 */
export interface MultiClassScores {
  slices: number
  diceGroundGlass: number
  diceConsolidation: number
  meanDice: number
  sensitivityGroundGlass: number
  specificityGroundGlass: number
  sensitivityConsolidation: number
  specificityConsolidation: number
  slicesWithGroundGlass: number
  slicesWithConsolidation: number
}

export const GROUND_GLASS = 1
export const CONSOLIDATION = 2

/** Per-slice counts of one class against the rest: true/false positives and negatives. */
export interface ClassCounts {
  tp: number
  fp: number
  fn: number
  tn: number
}

export function classCounts(predicted: Uint8Array, truth: Uint8Array, cls: number): ClassCounts {
  if (predicted.length !== truth.length) throw new Error(`prediction has ${predicted.length} pixels, ground truth ${truth.length}`)
  const c = { tp: 0, fp: 0, fn: 0, tn: 0 }
  for (let i = 0; i < truth.length; i++) {
    const p = predicted[i] === cls
    const g = truth[i] === cls
    if (p && g) c.tp++
    else if (p) c.fp++
    else if (g) c.fn++
    else c.tn++
  }
  return c
}

/** Dice of one class on one slice; 1 when the class is in neither prediction nor truth (see MultiClassScores). */
export function classDice(c: ClassCounts): number {
  const denominator = 2 * c.tp + c.fp + c.fn
  return denominator === 0 ? 1 : (2 * c.tp) / denominator
}

/** The per-class figures of a set of (prediction, truth) label maps, as MultiClassScores defines them. */
export function multiClassScores(
  pairs: Array<{ predicted: Uint8Array; truth: Uint8Array }>
): MultiClassScores {
  const perClass = (cls: number): { dice: number; sensitivity: number; specificity: number; present: number } => {
    let dice = 0
    let present = 0
    const pooled = { tp: 0, fp: 0, fn: 0, tn: 0 }
    for (const { predicted, truth } of pairs) {
      const c = classCounts(predicted, truth, cls)
      dice += classDice(c)
      if (c.tp + c.fn > 0) present++
      pooled.tp += c.tp
      pooled.fp += c.fp
      pooled.fn += c.fn
      pooled.tn += c.tn
    }
    const ratio = (a: number, b: number): number => (b === 0 ? 1 : a / b)
    return {
      dice: pairs.length ? dice / pairs.length : 0,
      sensitivity: ratio(pooled.tp, pooled.tp + pooled.fn),
      specificity: ratio(pooled.tn, pooled.tn + pooled.fp),
      present
    }
  }
  const gg = perClass(GROUND_GLASS)
  const co = perClass(CONSOLIDATION)
  return {
    slices: pairs.length,
    diceGroundGlass: gg.dice,
    diceConsolidation: co.dice,
    meanDice: (gg.dice + co.dice) / 2,
    sensitivityGroundGlass: gg.sensitivity,
    specificityGroundGlass: gg.specificity,
    sensitivityConsolidation: co.sensitivity,
    specificityConsolidation: co.specificity,
    slicesWithGroundGlass: gg.present,
    slicesWithConsolidation: co.present
  }
}
