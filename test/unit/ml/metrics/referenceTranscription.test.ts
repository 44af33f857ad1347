/**
 * A case too irregular to derive by hand: a continuous 7×6 map (levels 0–249, so normalised values
 * fall off the threshold grid) against an irregular truth with a stray pixel in a corner and a grey
 * 200 pixel (> 128, foreground). The expected figures come from an independent NumPy transcription
 * of the toolbox's MATLAB (main.m with ≥, Fmeasure_calu.m, Enhancedmeasure.m, StructureMeasure.m,
 * S_object.m, S_region.m), written pixel by pixel with a loop over the 256 thresholds.
 */
import { describe, expect, it } from 'vitest'
import { scoreImage, summariseScores, type GreyImage } from '../../../../src/main/ml/metrics'

const prediction: GreyImage = {
  width: 7,
  height: 6,
  data: Uint8Array.from(
    [
      [0, 37, 74, 111, 148, 185, 222],
      [91, 141, 191, 241, 35, 85, 135],
      [182, 245, 52, 115, 178, 241, 48],
      [17, 93, 169, 245, 65, 141, 217],
      [108, 197, 30, 119, 208, 41, 130],
      [199, 45, 147, 249, 95, 197, 43]
    ].flat()
  )
}
const truth: GreyImage = {
  width: 7,
  height: 6,
  data: Uint8Array.from(
    [
      [0, 0, 0, 0, 0, 0, 255],
      [0, 255, 255, 255, 0, 0, 0],
      [255, 255, 255, 255, 255, 0, 0],
      [255, 255, 255, 255, 255, 0, 0],
      [255, 255, 255, 255, 255, 0, 0],
      [0, 255, 255, 255, 0, 200, 0]
    ].flat()
  )
}

describe('continuous map against the reference transcription', () => {
  it('matches every summary figure', () => {
    const s = summariseScores([scoreImage(prediction, truth)])
    expect(s.dice).toBeCloseTo(0.5778174335710327, 12)
    expect(s.sensitivity).toBeCloseTo(0.6030910326086957, 12)
    expect(s.specificity).toBeCloseTo(0.5649671052631577, 12)
    expect(s.sMeasure).toBeCloseTo(0.5037479678786054, 12)
    expect(s.eMeasure).toBeCloseTo(0.4879498673390835, 12)
    expect(s.mae).toBeCloseTo(0.4137502390514438, 12)
    expect(s.maxDice).toBeCloseTo(0.7241379310344828, 12)
  })
})
