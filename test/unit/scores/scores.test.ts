import { beforeAll, describe, expect, it } from 'vitest'
import { diceCoefficient } from '../../../src/main/scores/dice'
import { segmentLungs, type LungMask } from '../../../src/main/lungs/lungMask'
import {
  createChestPhantom,
  insertLesion,
  lesionLabelMap,
  type ChestPhantom,
  type InsertedLesion
} from '../../helpers/phantom'
import {
  CTSS_REGION_RULES,
  lobeLabelMap,
  lobeLabelOf,
  partitionLungRegions,
  regionLabelOf,
  type RegionId
} from '../../../src/main/regions/regions'
import { computeSeverity, INFECTION_LABEL } from '../../../src/main/scores/scores'
import { ctssRegionScore, lobarScore, severityClass } from '../../../src/shared/severityScoring'
import { TEST_LESIONS } from '../../helpers/phantomTruth'

describe('score scales', () => {
  it('CT-SS region score: 0 none, 1 below 50 %, 2 from 50 %, 0 under the noise floor', () => {
    expect([0, 0.05, 0.1, 10, 49.99, 50, 100].map((p) => ctssRegionScore(p))).toEqual([0, 0, 1, 1, 1, 2, 2])
    expect(ctssRegionScore(0.05, 0)).toBe(1)
  })

  it('lobar score (Pan et al.): 0 / <5 / 5–25 / 26–49 / 50–75 / >75 %', () => {
    const percents = [0, 0.05, 0.2, 4.99, 5, 25, 25.5, 49.9, 50, 75, 75.1, 100]
    expect(percents.map((p) => lobarScore(p))).toEqual([0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5])
    expect(lobarScore(0.05, 0)).toBe(1)
  })

  it('severity class from the lobar total: none / mild ≤ 7 / moderate ≤ 17 / severe', () => {
    expect(severityClass(3, false)).toBe('none')
    expect([1, 7, 8, 17, 18, 25].map((t) => severityClass(t, true))).toEqual([
      'mild',
      'mild',
      'moderate',
      'moderate',
      'severe',
      'severe'
    ])
    expect(severityClass(7, true, { mildMaxLobarTotal: 5, moderateMaxLobarTotal: 10 })).toBe('moderate')
  })
})

describe('diceCoefficient', () => {
  it('is 1 for identical masks, 0 for disjoint ones, and 2|A∩B|/(|A|+|B|) in between', () => {
    const a = Uint8Array.from([1, 1, 1, 1, 0, 0, 0, 0, 0, 0])
    const b = Uint8Array.from([0, 1, 1, 1, 1, 1, 1, 0, 0, 0])
    expect(diceCoefficient(a, a)).toBe(1)
    expect(diceCoefficient(a, Uint8Array.from([0, 0, 0, 0, 1, 1, 0, 0, 0, 0]))).toBe(0)
    expect(diceCoefficient(a, b)).toBe((2 * 3) / (4 + 6))
    // Any nonzero value is foreground: label maps compare as their union.
    expect(diceCoefficient(Uint8Array.from([2, 1, 0]), Uint8Array.from([255, 0, 0]))).toBe((2 * 1) / (2 + 1))
  })

  it('is 1 for two empty masks and refuses masks of different sizes', () => {
    expect(diceCoefficient(new Uint8Array(5), new Uint8Array(5))).toBe(1)
    expect(() => diceCoefficient(new Uint8Array(5), new Uint8Array(6))).toThrow()
  })
})

describe('computeSeverity on the chest phantom', () => {
  let phantom: ChestPhantom
  let lungs: LungMask
  let regions: Uint8Array
  let consolidation: InsertedLesion
  let groundGlass: InsertedLesion
  let infection: Uint8Array

  beforeAll(() => {
    phantom = createChestPhantom()
    consolidation = insertLesion(phantom, TEST_LESIONS.consolidation)
    groundGlass = insertLesion(phantom, TEST_LESIONS.groundGlass)
    lungs = segmentLungs(phantom.volume)
    regions = partitionLungRegions(lungs.labels, phantom.volume)
    infection = lesionLabelMap(phantom, [consolidation, groundGlass])
  })

  const input = (infectionLabels: Uint8Array) => ({
    geometry: phantom.volume,
    lungLabels: lungs.labels,
    regionLabels: regions,
    infectionLabels
  })

  it('measures each lesion within ±3 % of its sphere volume, by type', () => {
    const report = computeSeverity(input(infection))
    const within3 = (actual: number, expected: number): void =>
      expect(Math.abs(actual - expected) / expected).toBeLessThanOrEqual(0.03)
    within3(report.consolidationVolumeMl, consolidation.analyticVolumeMl)
    within3(report.ggoVolumeMl, groundGlass.analyticVolumeMl)
    within3(report.infectedVolumeMl, consolidation.analyticVolumeMl + groundGlass.analyticVolumeMl)
    // Every lesion voxel lies in the lung mask, so the counts are exact.
    expect(report.consolidationVolumeMl).toBeCloseTo(consolidation.voxelVolumeMl, 9)
    expect(report.ggoVolumeMl).toBeCloseTo(groundGlass.voxelVolumeMl, 9)
    expect(report.infectionOutsideLungsMl).toBe(0)
    expect(report.lungs.right.consolidationVolumeMl).toBeCloseTo(consolidation.voxelVolumeMl, 9)
    expect(report.lungs.left.ggoVolumeMl).toBeCloseTo(groundGlass.voxelVolumeMl, 9)
    expect(report.percentInfected.right).toBeCloseTo((100 * consolidation.voxelVolumeMl) / lungs.rightVolumeMl, 6)
    expect(report.percentInfected.left).toBeCloseTo((100 * groundGlass.voxelVolumeMl) / lungs.leftVolumeMl, 6)
  })

  it('places the consolidation wholly in R9 / RLL and the ground glass in L3 / LUL', () => {
    const lobes = lobeLabelMap(regions)
    for (const v of consolidation.voxelIndices) {
      if (regions[v] !== regionLabelOf('R9') || lobes[v] !== lobeLabelOf('RLL')) expect.fail(`voxel ${v}`)
    }
    for (const v of groundGlass.voxelIndices) {
      if (regions[v] !== regionLabelOf('L3') || lobes[v] !== lobeLabelOf('LUL')) expect.fail(`voxel ${v}`)
    }
  })

  it('scores CT-SS 1 + 1 = 2 and the lobar score 1 + 1 = 2: mild, present, not severe', () => {
    const report = computeSeverity(input(infection))
    const scored = report.ctss.regions.filter((r) => r.score > 0)
    expect(scored.map((r) => [r.id, r.score])).toEqual([
      ['R9', 1],
      ['L3', 1]
    ])
    expect(report.ctss.regions.find((r) => r.id === 'R9')?.infectedVolumeMl).toBeCloseTo(consolidation.voxelVolumeMl, 9)
    expect(report.ctss.total).toBe(2)
    expect(report.ctss.severe).toBe(false)
    expect(report.lobar.lobes.map((l) => [l.id, l.score])).toEqual([
      ['RUL', 0],
      ['RML', 0],
      ['RLL', 1],
      ['LUL', 1],
      ['LLL', 0]
    ])
    expect(report.lobar.total).toBe(2)
    expect(report.infectionPresent).toBe(true)
    expect(report.severity).toBe('mild')
    expect(report.lungVolumeMl).toBeCloseTo(lungs.totalVolumeMl, 6)
    const regionSum = report.ctss.regions.reduce((sum, r) => sum + r.lungVolumeMl, 0)
    expect(regionSum).toBeCloseTo(report.lungVolumeMl, 6)
  })

  it('reports the Dice coefficient against a reference mask', () => {
    expect(computeSeverity({ ...input(infection), referenceInfection: infection }).dice).toBe(1)
    const onlyConsolidation = lesionLabelMap(phantom, [consolidation])
    const expected =
      (2 * consolidation.voxelIndices.length) /
      (2 * consolidation.voxelIndices.length + groundGlass.voxelIndices.length)
    expect(computeSeverity({ ...input(infection), referenceInfection: onlyConsolidation }).dice).toBeCloseTo(
      expected,
      12
    )
    expect(computeSeverity(input(infection)).dice).toBeUndefined()
  })

  it('applies the noise floor and the minimum mL: a few scattered voxels are no involvement, unless both are 0', () => {
    const specks = new Uint8Array(infection.length)
    const r1 = regionLabelOf('R1')
    let placed = 0
    for (let v = 0; v < regions.length && placed < 10; v += 997) {
      if (regions[v] === r1) {
        specks[v] = INFECTION_LABEL.groundGlass
        placed++
      }
    }
    expect(placed).toBe(10)
    const floored = computeSeverity(input(specks))
    expect(floored.ctss.total).toBe(0)
    expect(floored.lobar.total).toBe(0)
    expect(floored.infectionPresent).toBe(false)
    expect(floored.severity).toBe('none')
    // the fraction floor alone at 0 still leaves 10 voxels under the 0.5 mL minimum
    expect(computeSeverity(input(specks), { noiseFloorPercent: 0, infectionPresentPercent: 0 }).ctss.total).toBe(0)
    const unfloored = computeSeverity(input(specks), { noiseFloorPercent: 0, minInvolvedMl: 0, infectionPresentPercent: 0 })
    expect(unfloored.ctss.regions.find((r) => r.id === 'R1')?.score).toBe(1)
    expect(unfloored.ctss.total).toBe(1)
    expect(unfloored.lobar.total).toBe(1)
    expect(unfloored.infectionPresent).toBe(true)
  })

  it('scores a severe pattern exactly: CT-SS 35 (severe), lobar 18 (severe)', () => {
    // Infect a chosen fraction of each region's voxels (the first ones in scan order).
    const fractionOf: Partial<Record<RegionId, number>> = {
      R1: 0.03,
      R4: 0.8,
      R5: 0.8,
      R6: 0.5,
      R7: 0.5,
      R8: 0.5,
      R9: 0.5,
      R10: 0.5
    }
    for (const rule of CTSS_REGION_RULES) if (rule.lung === 'left') fractionOf[rule.id] = 0.6
    const totals = new Array<number>(CTSS_REGION_RULES.length + 1).fill(0)
    for (const r of regions) totals[r]++
    const marked = new Array<number>(CTSS_REGION_RULES.length + 1).fill(0)
    const pattern = new Uint8Array(infection.length)
    for (let v = 0; v < regions.length; v++) {
      const r = regions[v]
      if (r === 0) continue
      const wanted = Math.ceil((fractionOf[CTSS_REGION_RULES[r - 1].id] ?? 0) * totals[r])
      if (marked[r] < wanted) {
        pattern[v] = marked[r] % 2 === 0 ? INFECTION_LABEL.groundGlass : INFECTION_LABEL.consolidation
        marked[r]++
      }
    }
    const report = computeSeverity(input(pattern))
    const scoreOf = (id: string): number | undefined => report.ctss.regions.find((r) => r.id === id)?.score
    expect(scoreOf('R1')).toBe(1)
    expect(['R2', 'R3'].map(scoreOf)).toEqual([0, 0])
    expect(['R4', 'R5', 'R6', 'R7', 'R8', 'R9', 'R10'].map(scoreOf)).toEqual([2, 2, 2, 2, 2, 2, 2])
    expect(report.ctss.regions.filter((r) => r.lung === 'left').every((r) => r.score === 2)).toBe(true)
    expect(report.ctss.total).toBe(1 + 7 * 2 + 10 * 2)
    expect(report.ctss.severe).toBe(true)
    expect(report.lobar.lobes.map((l) => [l.id, l.score])).toEqual([
      ['RUL', 1],
      ['RML', 5],
      ['RLL', 4],
      ['LUL', 4],
      ['LLL', 4]
    ])
    expect(report.lobar.total).toBe(18)
    expect(report.severity).toBe('severe')
    expect(report.ggoVolumeMl + report.consolidationVolumeMl).toBeCloseTo(report.infectedVolumeMl, 9)
  })

  it('counts infection outside the lung mask apart, and labels other than 1/2 as untyped infection', () => {
    const outside = new Uint8Array(infection.length)
    let body = 0
    while (lungs.labels[body] !== 0 || phantom.volume.data[body] < 0) body++
    outside[body] = INFECTION_LABEL.consolidation
    const inside = consolidation.voxelIndices[0]
    outside[inside] = 255
    const report = computeSeverity(input(outside))
    const voxelMl = (phantom.volume.spacing[0] * phantom.volume.spacing[1] * phantom.volume.spacing[2]) / 1000
    expect(report.infectionOutsideLungsMl).toBeCloseTo(voxelMl, 12)
    expect(report.infectedVolumeMl).toBeCloseTo(voxelMl, 12)
    expect(report.ggoVolumeMl + report.consolidationVolumeMl).toBe(0)
    // maps that are views at an odd byte offset (read voxel by voxel, not a word at a time): the same report
    const shifted = (a: Uint8Array): Uint8Array => {
      const b = new Uint8Array(a.length + 1)
      b.set(a, 1)
      return b.subarray(1)
    }
    const unaligned = { geometry: phantom.volume, lungLabels: shifted(lungs.labels), regionLabels: shifted(regions), infectionLabels: shifted(outside) }
    expect(computeSeverity(unaligned)).toEqual(report)
    expect(computeSeverity(input(infection)).ctss).toEqual(computeSeverity({ ...unaligned, infectionLabels: shifted(infection) }).ctss)
  })
})
