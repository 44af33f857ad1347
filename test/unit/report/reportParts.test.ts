import { inflateSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import {
  chooseKeySlices,
  encodePngRgb,
  reportFinalScores,
  OVERLAY_COLOURS,
  renderOverlay,
  toWinAnsi
} from '../../../src/main/report'
import { computeSeverity } from '../../../src/main/scores/scores'
import type { Volume } from '../../../src/main/volume/volume'

/** A 20-voxel "lung" whose voxel n lies in CT-SS region n + 1, right lung first. */
function oneVoxelPerRegion(infected: number[]): ReturnType<typeof computeSeverity> {
  const lungLabels = Uint8Array.from({ length: 20 }, (_, n) => (n < 10 ? 1 : 2))
  const regionLabels = Uint8Array.from({ length: 20 }, (_, n) => n + 1)
  const infectionLabels = Uint8Array.from({ length: 20 }, (_, n) => (infected.includes(n) ? 1 : 0))
  return computeSeverity({ geometry: { spacing: [10, 10, 10] }, lungLabels, regionLabels, infectionLabels })
}

describe('reportFinalScores', () => {
  it('takes each region’s latest edit, keeps the automatic total, and marks > 19.5 as severe', () => {
    const report = oneVoxelPerRegion([0, 1])
    expect(report.ctss.total).toBe(4)
    const edits = [
      { regionId: 'R1' as const, score: 0, by: 'b', at: '2020-01-02T00:00:00Z' },
      { regionId: 'R1' as const, score: 1, by: 'a', at: '2020-01-01T00:00:00Z' },
      { regionId: 'L5' as const, score: 2, by: 'a', at: '2020-01-01T00:00:00Z' }
    ]
    const final = reportFinalScores(report, edits)
    expect(final.ctss.automatic).toBe(4)
    expect(final.ctss.final).toBe(4 - 2 + 2)
    expect(final.regions.find((r) => r.id === 'R1')).toMatchObject({ automatic: 2, final: 0, edit: { by: 'b' } })
    expect(final.edited).toBe(true)
    expect(final.ctss.severe).toBe(false)
    const all = oneVoxelPerRegion([...Array(20).keys()])
    expect(reportFinalScores(all, []).ctss.severe).toBe(true)
    expect(reportFinalScores(all, []).ctss.final).toBe(40)
  })
})

describe('chooseKeySlices', () => {
  it('picks the most infected slices, apart from each other, in slice order', () => {
    // 1×1 slices: the label map is the per-slice infected count's indicator.
    const nz = 24
    const perSlice = new Array(nz).fill(0)
    Object.assign(perSlice, { 3: 5, 4: 6, 10: 9, 11: 8, 18: 2 })
    const labels = new Uint8Array(nz * 4)
    perSlice.forEach((count, k) => labels.fill(1, k * 4, k * 4 + Math.min(4, count)))
    // counts saturate at 4 pixels: slices 3, 4, 10, 11 tie at 4; the gap (24 / 12 = 2) keeps neighbours apart
    expect(chooseKeySlices(labels, [2, 2, nz], 4)).toEqual([3, 10, 18])
  })

  it('without infection, spreads the images through the lungs', () => {
    const lungs = new Uint8Array(20)
    lungs.fill(1, 5, 15)
    expect(chooseKeySlices(new Uint8Array(20), [1, 1, 20], 3, lungs)).toEqual([7, 10, 12])
  })
})

describe('renderOverlay and encodePngRgb', () => {
  it('blends ground glass and consolidation in their colours, patient’s right on the left', () => {
    // 2×1 slice, i toward the patient's right (direction −1 on x): it must be flipped for display.
    const volume: Volume = {
      data: Int16Array.from([-1350, 150]),
      dimensions: [2, 1, 1],
      spacing: [1, 1, 1],
      origin: [0, 0, 0],
      direction: [-1, 0, 0, 0, 1, 0, 0, 0, 1],
      modality: 'CT',
      unit: 'HU'
    }
    const rgb = renderOverlay(volume, Uint8Array.from([1, 2]), 0, { center: -600, width: 1500 })
    const blend = (grey: number, colour: readonly number[]): number[] =>
      colour.map((c) => Math.round(0.5 * grey + 0.5 * c))
    expect(Array.from(rgb)).toEqual([
      ...blend(255, OVERLAY_COLOURS.consolidation),
      ...blend(0, OVERLAY_COLOURS.groundGlass)
    ])

    const png = encodePngRgb(rgb, 2, 1)
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG')
    expect(png.readUInt32BE(16)).toBe(2)
    expect(png[25]).toBe(2) // colour type: truecolour
    const idatLength = png.readUInt32BE(33)
    expect(Array.from(inflateSync(png.subarray(41, 41 + idatLength)))).toEqual([0, ...rgb])
  })
})

describe('toWinAnsi', () => {
  it('keeps Latin-1 and cp1252 text, spells out arrows and signs, and marks the rest', () => {
    expect(toWinAnsi('Müller – 1 → 2, ≥ −200 HU, 张')).toBe('Müller – 1 -> 2, >= -200 HU, ?')
  })
})
