import { describe, expect, it } from 'vitest'
import { correctedSliceCount, correctedTrainingSlices, type TrainingVersionFields } from '../../../src/shared/correctedSlices'

const model = (version: number): TrainingVersionFields => ({ version, source: 'model', trainingSlices: [] })
const person = (version: number, trainingSlices: number[]): TrainingVersionFields => ({ version, source: 'annotator', trainingSlices })

describe('correctedTrainingSlices', () => {
  it('between two analyses only the newest person’s version counts (its list is cumulative)', () => {
    expect(correctedTrainingSlices([model(1), person(2, [4]), person(3, [4, 9])])).toEqual([{ version: 3, slices: [4, 9] }])
  })
  it('a revert to the model’s version leaves no training data', () => {
    expect(correctedSliceCount([model(1), person(2, [4]), person(3, [])])).toBe(0)
  })
  it('a later analysis does not drop earlier corrections; a newer correction of the same slice teaches it', () => {
    const versions = [model(1), person(2, [4, 5]), model(3), person(4, [5, 7]), model(5)]
    expect(correctedTrainingSlices(versions)).toEqual([
      { version: 2, slices: [4] },
      { version: 4, slices: [5, 7] }
    ])
    expect(correctedSliceCount([...versions].reverse())).toBe(3)
  })
  it('corrections saved before any analysis count', () => {
    expect(correctedTrainingSlices([person(1, [0]), model(2)])).toEqual([{ version: 1, slices: [0] }])
  })
})
