/** What the training-data rule reads of a mask version. */
export interface TrainingVersionFields {
  version: number
  source: 'model' | 'annotator' | 'import'
  trainingSlices: readonly number[]
}

/** Slices of one version that are training data, taught by that version's labels. */
export interface CorrectedSlices {
  version: number
  slices: number[]
}

/**
 * The training data of a series: which version teaches each corrected slice. A person's version
 * lists every slice it and the person's versions it was built on changed (a save starts from its
 * base's list, a revert recomputes it), so between two model versions only the newest person's
 * version counts. A re-analysis starts a new model version without erasing what came before:
 * earlier corrections stay training data unless a newer person's version lists the same slice,
 * whatever is analysed later. `versions` in any order; the result oldest version first.
 */
export function correctedTrainingSlices(versions: readonly TrainingVersionFields[]): CorrectedSlices[] {
  const ordered = [...versions].sort((a, b) => a.version - b.version)
  const newestPersonPerAnalysis: TrainingVersionFields[] = []
  let newest: TrainingVersionFields | undefined
  for (const v of ordered) {
    if (v.source === 'model') {
      if (newest) newestPersonPerAnalysis.push(newest)
      newest = undefined
    } else {
      newest = v
    }
  }
  if (newest) newestPersonPerAnalysis.push(newest)
  const claimed = new Set<number>()
  const result: CorrectedSlices[] = []
  for (const v of newestPersonPerAnalysis.reverse()) {
    const slices = [...new Set(v.trainingSlices)].filter((k) => !claimed.has(k)).sort((a, b) => a - b)
    for (const k of slices) claimed.add(k)
    if (slices.length) result.push({ version: v.version, slices })
  }
  return result.sort((a, b) => a.version - b.version)
}

/** How many slices of a series are training data. */
export function correctedSliceCount(versions: readonly TrainingVersionFields[]): number {
  return correctedTrainingSlices(versions).reduce((n, c) => n + c.slices.length, 0)
}
