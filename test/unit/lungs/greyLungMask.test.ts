import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { readImageNode } from '@itk-wasm/image-io'
import { beforeAll, describe, expect, it } from 'vitest'
import { diceCoefficient } from '../../../src/main/scores/dice'
import {
  LEFT_LUNG_LABEL,
  RIGHT_LUNG_LABEL,
  segmentLungs,
  segmentLungsGrey,
  type LungMask
} from '../../../src/main/lungs/lungMask'
import { createChestPhantom, type ChestPhantom } from '../../helpers/phantom'
import type { Volume } from '../../../src/main/volume/volume'
import { semisegTrain } from '../../helpers/paths'
import { maskOf } from '../../helpers/phantomTruth'

/** One axial slice of an HU volume through a lung window (level −600, width 1500) to 8-bit grey. */
function lungWindowSlice(volume: Volume, k: number, spacing: [number, number, number]): Volume {
  const [nx, ny] = volume.dimensions
  const grey = new Uint8Array(nx * ny)
  for (let p = 0; p < nx * ny; p++) {
    const hu = volume.data[k * nx * ny + p]
    grey[p] = Math.max(0, Math.min(255, Math.round(((hu + 1350) / 1500) * 255)))
  }
  return { ...volume, data: grey, dimensions: [nx, ny, 1], spacing, unit: 'grey' }
}

describe('segmentLungsGrey on lung-window slices of the phantom', () => {
  let phantom: ChestPhantom
  let hu: LungMask
  // Slice 64 lies at z ≈ −1 mm, where the two lungs touch.
  const k = 64

  beforeAll(() => {
    phantom = createChestPhantom()
    hu = segmentLungs(phantom.volume)
  })

  for (const [what, spacing] of [
    ['with its pixel size', [0.7, 0.7, 2.5]],
    ['without a pixel size (as a JPEG loads)', [1, 1, 1]]
  ] as const) {
    it(`agrees with the HU segmentation on a slice where the lungs touch, ${what}`, () => {
      const slice = lungWindowSlice(phantom.volume, k, [...spacing])
      const grey = segmentLungsGrey(slice)
      const [nx, ny] = phantom.volume.dimensions
      const reference = hu.labels.subarray(k * nx * ny, (k + 1) * nx * ny)
      for (const label of [RIGHT_LUNG_LABEL, LEFT_LUNG_LABEL]) {
        expect(diceCoefficient(maskOf(grey.labels, label), maskOf(reference, label))).toBeGreaterThan(0.98)
      }
    })
  }

  it('refuses an HU volume', () => {
    expect(() => segmentLungsGrey(phantom.volume)).toThrow(/grey/)
  })
})

describe('segmentLungsGrey on the 50 COVID-SemiSeg training slices', () => {
  const rows: Array<{ name: string; lungShare: number; bothLungs: boolean; infectionInside: number }> = []

  beforeAll(async () => {
    const names = readdirSync(join(semisegTrain, 'images')).filter((n) => n.endsWith('.jpg'))
    for (const name of names) {
      const image = await readImageNode(join(semisegTrain, 'images', name))
      const mask = await readImageNode(join(semisegTrain, 'masks', name.replace(/\.jpg$/, '.png')))
      const [width, height] = image.size
      const lungs = segmentLungsGrey({
        data: image.data as Uint8Array,
        dimensions: [width, height, 1],
        spacing: [1, 1, 1],
        origin: [0, 0, 0],
        direction: [1, 0, 0, 0, 1, 0, 0, 0, 1],
        modality: 'CT',
        unit: 'grey'
      })
      const infection = mask.data as Uint8Array
      let lung = 0
      let infected = 0
      let infectedInside = 0
      for (let p = 0; p < width * height; p++) {
        if (lungs.labels[p] !== 0) lung++
        if (infection[p] !== 0) {
          infected++
          if (lungs.labels[p] !== 0) infectedInside++
        }
      }
      rows.push({
        name,
        lungShare: lung / (width * height),
        bothLungs: lungs.rightVolumeMl > 0 && lungs.leftVolumeMl > 0,
        infectionInside: infected > 0 ? infectedInside / infected : 1
      })
    }
  })

  it('finds two lungs covering 15–75 % of every (chest-cropped) slice', () => {
    expect(rows).toHaveLength(50)
    for (const row of rows) {
      expect(row.bothLungs, row.name).toBe(true)
      expect(row.lungShare, row.name).toBeGreaterThan(0.15)
      expect(row.lungShare, row.name).toBeLessThan(0.75)
    }
  })

  it("holds most of the doctors' infection labels (median share ≥ 90 %)", () => {
    // Subpleural consolidation against the chest wall is the known miss of a threshold mask.
    const shares = rows.map((r) => r.infectionInside).sort((a, b) => a - b)
    const median = shares[Math.floor(shares.length / 2)]
    console.info(
      `share of labelled infection inside the grey lung mask: min ${shares[0].toFixed(2)}, median ${median.toFixed(2)}`
    )
    expect(median).toBeGreaterThanOrEqual(0.9)
  })
})
