import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { checkChestCt, modalityRefusal, NotChestCtError } from '../../../src/main/analysis/chestCtCheck'
import { readVolumes } from '../../../src/main/volume'
import type { Volume } from '../../../src/main/volume/volume'
import { copyMostInferiorSlices, photographs } from '../../helpers/chestCt'
import { lungmaskSlices, p002, semisegTrain, tempDir } from '../../helpers/paths'

const dir = tempDir('pulmo-chestct-')
let chest: Volume

function refusal(volume: Volume): string {
  try {
    checkChestCt(volume)
  } catch (e) {
    if (e instanceof NotChestCtError) return e.message
    throw e
  }
  return 'accepted'
}

/** Slices [from, to) of a volume as a volume of its own (same geometry, origin moved). */
function slab(volume: Volume, from: number, to: number): Volume {
  const [nx, ny] = volume.dimensions
  const data = volume.data.slice(from * nx * ny, to * nx * ny)
  const origin: [number, number, number] = [
    volume.origin[0],
    volume.origin[1],
    volume.origin[2] + from * volume.spacing[2] * volume.direction[8]
  ]
  return { ...volume, data, dimensions: [nx, ny, to - from], origin }
}

beforeAll(async () => {
  ;[chest] = await readVolumes([p002])
}, 120_000)
afterAll(() => dir.remove())

describe('checkChestCt: only chest CT is scored', () => {
  it('accepts the whole P002 chest CT without a warning and hands on its lung mask', () => {
    const accepted = checkChestCt(chest)
    expect(accepted.warnings).toEqual([])
    expect(accepted.lungs.rightVolumeMl).toBeGreaterThan(1500)
    expect(accepted.widest.lungOfBody).toBeGreaterThan(0.3)
    expect(accepted.widest.lungAreaCm2).toBeGreaterThan(200)
  }, 120_000)

  it('refuses the 25 most inferior slices of P002 (liver and lung bases), naming the reason', async () => {
    const names = await copyMostInferiorSlices(p002, 25, join(dir.path, 'inferior'))
    expect(names).toContain('IM0133.dcm')
    const [inferior] = await readVolumes([join(dir.path, 'inferior')])
    expect(inferior.dimensions[2]).toBe(25)
    const message = refusal(inferior)
    expect(message).toMatch(
      /^Not a chest CT: no slice shows two lungs filling a chest: at their widest the air-filled lungs are \d+ cm², 1\d % of the body/
    )
    expect(message).toContain('abdomen')
  }, 120_000)

  it('scores the upper 100 slices of P002 with a warning that the lungs reach the lower end', () => {
    // slice k runs towards the head: dropping the first 40 cuts the lung bases off
    const upper = slab(chest, 40, chest.dimensions[2])
    const accepted = checkChestCt(upper)
    expect(accepted.warnings).toHaveLength(1)
    expect(accepted.warnings[0]).toMatch(
      /covers the lungs only in part: lung reaches the lower end \(towards the bases, slice 1\)/
    )
  }, 120_000)

  it('scores the two lungmask slices and the COVID-SemiSeg windowed slices, saying when a series is a few slices', async () => {
    const [slices] = await readVolumes([lungmaskSlices])
    expect(checkChestCt(slices).warnings).toEqual([
      'The series has 2 slices: volumes, percentages and scores describe these slices, not the whole lungs.'
    ])
    const images = readdirSync(join(semisegTrain, 'images')).sort().slice(0, 12)
    for (const image of images) {
      const [slice] = await readVolumes([join(semisegTrain, 'images', image)])
      expect(slice.modality, image).toBe('OT')
      expect(checkChestCt(slice).warnings, image).toEqual([
        'The series has a single slice: volumes, percentages and scores describe this slice, not the whole lungs.'
      ])
    }
  }, 120_000)

  it('refuses colour photographs (read as XC) and the same photograph in grey (no lungs in a body)', async () => {
    const [photo] = await readVolumes([join(photographs, 'circuit-board.jpg')])
    expect(photo.modality).toBe('XC')
    expect(refusal(photo)).toBe(
      'Not a chest CT: the image is a colour photograph (modality XC), not a CT; Pulmo scores chest CT only.'
    )
    // the same picture as grey levels: its dark background would be taken for lungs filling the frame
    const grey: Volume = { ...photo, modality: 'OT' }
    expect(refusal(grey)).toMatch(
      /^Not a chest CT: the dark areas taken for lungs fill 9\d % of the image instead of lying inside a body/
    )
  }, 60_000)

  it('refuses other modalities by name', () => {
    expect(modalityRefusal('MR', 'HU')).toBe(
      'the series is magnetic resonance (MR), not CT; Pulmo scores chest CT only.'
    )
    expect(modalityRefusal('CT', 'grey')).toMatch(/no Hounsfield units/)
    expect(modalityRefusal('CT', 'HU')).toBeNull()
    expect(modalityRefusal('OT', 'grey')).toBeNull()
    expect(refusal({ ...chest, modality: 'PT' })).toBe(
      'Not a chest CT: the series is PET (PT), not CT; Pulmo scores chest CT only.'
    )
  })
})
