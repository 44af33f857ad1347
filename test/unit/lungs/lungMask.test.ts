import { beforeAll, describe, expect, it } from 'vitest'
import { diceCoefficient } from '../../../src/main/scores/dice'
import { LEFT_LUNG_LABEL, RIGHT_LUNG_LABEL, segmentLungs, type LungMask } from '../../../src/main/lungs/lungMask'
import {
  createChestPhantom,
  insertLesion,
  PHANTOM_STRUCTURE,
  type ChestPhantom,
  type InsertedLesion
} from '../../helpers/phantom'
import { maskOf, TEST_LESIONS, tracheaVoxels, truthLungLabels, voxelsOf } from '../../helpers/phantomTruth'

function expectWithinPercent(actual: number, expected: number, percent: number): void {
  expect(Math.abs(actual - expected) / expected).toBeLessThanOrEqual(percent / 100)
}

describe('segmentLungs on the 512×512×130 chest phantom with lesions', () => {
  let phantom: ChestPhantom
  let lungs: LungMask
  let consolidation: InsertedLesion
  let groundGlass: InsertedLesion

  beforeAll(() => {
    phantom = createChestPhantom()
    consolidation = insertLesion(phantom, TEST_LESIONS.consolidation)
    groundGlass = insertLesion(phantom, TEST_LESIONS.groundGlass)
    const started = performance.now()
    lungs = segmentLungs(phantom.volume)
    console.info(`segmentLungs 512×512×130 phantom: ${(performance.now() - started).toFixed(0)} ms`)
  })

  it('measures each lung within ±3 % of its analytic ellipsoid volume', () => {
    // Vessels and lesions are inside the ellipsoids and must be filled back, so nothing is subtracted.
    expectWithinPercent(lungs.rightVolumeMl, phantom.rightLungVolumeMl, 3)
    expectWithinPercent(lungs.leftVolumeMl, phantom.leftLungVolumeMl, 3)
    expect(lungs.totalVolumeMl).toBeCloseTo(lungs.rightVolumeMl + lungs.leftVolumeMl, 6)
  })

  it('labels the right lung 1 and the left lung 2, on the correct patient sides, where they touch too', () => {
    const truth = truthLungLabels(phantom)
    expect(diceCoefficient(maskOf(lungs.labels, RIGHT_LUNG_LABEL), maskOf(truth, 1))).toBeGreaterThan(0.99)
    expect(diceCoefficient(maskOf(lungs.labels, LEFT_LUNG_LABEL), maskOf(truth, 2))).toBeGreaterThan(0.99)
    // The phantom's lungs touch at the midline, so telling them apart needs the erosion.
    expect(lungs.separation).toBe('erosion')
  })

  it('keeps the trachea and the bowel gas out of the lung mask', () => {
    const trachea = tracheaVoxels(phantom)
    expect(trachea.length).toBeGreaterThan(1000)
    expect(trachea.filter((v) => lungs.labels[v] !== 0)).toHaveLength(0)
    expect(lungs.airwayVoxelCount).toBeGreaterThanOrEqual(trachea.length)
    const gas = voxelsOf(phantom.structure, PHANTOM_STRUCTURE.bowelGas)
    expect(gas.length).toBeGreaterThan(1000)
    expect(gas.filter((v) => lungs.labels[v] !== 0)).toHaveLength(0)
  })

  it('keeps the consolidation (+20 HU) and the ground glass inside their lung', () => {
    expect(consolidation.lung).toBe('right')
    expect([...consolidation.voxelIndices].every((v) => lungs.labels[v] === RIGHT_LUNG_LABEL)).toBe(true)
    expect(groundGlass.lung).toBe('left')
    expect([...groundGlass.voxelIndices].every((v) => lungs.labels[v] === LEFT_LUNG_LABEL)).toBe(true)
  })

  it('fills the vessels: almost no true lung voxel is left out', () => {
    const truth = truthLungLabels(phantom)
    let missed = 0
    let total = 0
    for (let v = 0; v < truth.length; v++) {
      if (truth[v] === 0) continue
      total++
      if (lungs.labels[v] === 0) missed++
    }
    expect(missed / total).toBeLessThan(0.002)
  })
})

describe('segmentLungs on variants of the phantom (256×256×65, same field of view)', () => {
  const coarse = {
    dimensions: [256, 256, 65] as [number, number, number],
    spacing: [1.4, 1.4, 5] as [number, number, number]
  }

  it('follows the direction cosines: with every axis flipped, the right lung is still label 1', () => {
    const phantom = createChestPhantom({ ...coarse, axisSigns: [-1, -1, -1] })
    const lungs = segmentLungs(phantom.volume)
    const truth = truthLungLabels(phantom)
    expect(diceCoefficient(maskOf(lungs.labels, RIGHT_LUNG_LABEL), maskOf(truth, 1))).toBeGreaterThan(0.98)
    expect(diceCoefficient(maskOf(lungs.labels, LEFT_LUNG_LABEL), maskOf(truth, 2))).toBeGreaterThan(0.98)
    expect(tracheaVoxels(phantom).filter((v) => lungs.labels[v] !== 0)).toHaveLength(0)
  })

  it('is unaffected by 30 HU of noise', () => {
    const phantom = createChestPhantom({ ...coarse, noiseHu: 30, noiseSeed: 5 })
    const lungs = segmentLungs(phantom.volume)
    expectWithinPercent(lungs.rightVolumeMl, phantom.rightLungVolumeMl, 3)
    expectWithinPercent(lungs.leftVolumeMl, phantom.leftLungVolumeMl, 3)
  })

  it('refuses a non-HU volume and a non-axial series', () => {
    const phantom = createChestPhantom({ dimensions: [32, 32, 8], spacing: [10, 10, 40] })
    expect(() => segmentLungs({ ...phantom.volume, unit: 'grey' })).toThrow(/HU/)
    const coronal = [1, 0, 0, 0, 0, 1, 0, -1, 0]
    expect(() => segmentLungs({ ...phantom.volume, direction: coronal })).toThrow(/axial/)
  })
})
