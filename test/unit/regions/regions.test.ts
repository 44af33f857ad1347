import { beforeAll, describe, expect, it } from 'vitest'
import { createChestPhantom, type ChestPhantom } from '../../helpers/phantom'
import {
  CTSS_REGION_RULES,
  LOBES,
  lobeLabelMap,
  lobeLabelOf,
  partitionLungRegions,
  regionLabelOf,
  type LungSide,
  type RegionId
} from '../../../src/main/regions/regions'
import { TEST_LESIONS, truthLungLabels, voxelAt } from '../../helpers/phantomTruth'

/** Share of an ellipsoid's volume between normalised heights t1 < t2 (t = −1 base … 1 apex). */
function slabFraction(t1: number, t2: number): number {
  const primitive = (t: number): number => t - t ** 3 / 3
  return (primitive(t2) - primitive(t1)) / (4 / 3)
}

/**
 * Expected share of a lung for each region on an ellipsoid lung: craniocaudal fraction c maps to
 * t = 1 − 2c, and the per-slice anterior/posterior and medial/lateral halves are exact halves.
 */
function expectedShare(id: RegionId): number {
  const rule = CTSS_REGION_RULES[regionLabelOf(id) - 1]
  const [c1, c2] = rule.craniocaudal
  const halves = (rule.anteroposterior[1] - rule.anteroposterior[0]) * (rule.mediolateral[1] - rule.mediolateral[0])
  return slabFraction(1 - 2 * c2, 1 - 2 * c1) * halves
}

function regionCounts(regions: Uint8Array): number[] {
  const counts = new Array<number>(CTSS_REGION_RULES.length + 1).fill(0)
  for (const r of regions) counts[r]++
  return counts
}

describe('the CT-SS rule table', () => {
  it('has 20 regions with stable ids, 10 per lung, and 5 lobes that are unions of them', () => {
    expect(CTSS_REGION_RULES.map((r) => r.id)).toEqual([
      ...Array.from({ length: 10 }, (_, n) => `R${n + 1}`),
      ...Array.from({ length: 10 }, (_, n) => `L${n + 1}`)
    ])
    expect(LOBES.map((l) => l.id)).toEqual(['RUL', 'RML', 'RLL', 'LUL', 'LLL'])
    const inLobes = LOBES.flatMap((l) => l.regionIds).sort()
    expect(inLobes).toEqual(CTSS_REGION_RULES.map((r) => r.id).sort())
    for (const lobe of LOBES) {
      for (const id of lobe.regionIds) expect(CTSS_REGION_RULES[regionLabelOf(id) - 1].lobe).toBe(lobe.id)
    }
  })

  it("tiles each lung's unit cube: every point falls in exactly one region", () => {
    const steps = 24
    for (const lung of ['right', 'left'] as LungSide[]) {
      const rules = CTSS_REGION_RULES.filter((r) => r.lung === lung)
      for (let a = 0; a < steps; a++) {
        for (let b = 0; b < steps; b++) {
          for (let c = 0; c < steps; c++) {
            const point = [(a + 0.5) / steps, (b + 0.5) / steps, (c + 0.5) / steps]
            const hits = rules.filter((r) =>
              [r.craniocaudal, r.anteroposterior, r.mediolateral].every(
                ([from, to], axis) => point[axis] >= from && point[axis] < to
              )
            )
            expect(hits).toHaveLength(1)
          }
        }
      }
    }
  })
})

describe('partitionLungRegions on the phantom lungs', () => {
  let phantom: ChestPhantom
  let lungLabels: Uint8Array
  let regions: Uint8Array

  beforeAll(() => {
    phantom = createChestPhantom()
    lungLabels = truthLungLabels(phantom)
    regions = partitionLungRegions(lungLabels, phantom.volume)
  })

  it('gives every lung voxel a region of its own lung, and nothing else a region', () => {
    for (let v = 0; v < regions.length; v++) {
      if (lungLabels[v] === 0) {
        if (regions[v] !== 0) expect.fail(`background voxel ${v} has region ${regions[v]}`)
        continue
      }
      const lung = CTSS_REGION_RULES[regions[v] - 1]?.lung
      if (lung !== (lungLabels[v] === 1 ? 'right' : 'left')) expect.fail(`voxel ${v} in the wrong lung's region`)
    }
  })

  // Band edges fall between whole 2.5 mm slices, up to 1.25 mm off the analytic plane: in the small
  // apical caps that is several percent of their volume, hence the tolerance.
  it('splits an ellipsoid lung into the analytic shares of the rule table (within 8 %)', () => {
    const counts = regionCounts(regions)
    const lungVoxels = (side: LungSide): number =>
      CTSS_REGION_RULES.reduce((sum, r, n) => (r.lung === side ? sum + counts[n + 1] : sum), 0)
    for (const rule of CTSS_REGION_RULES) {
      const share = counts[regionLabelOf(rule.id)] / lungVoxels(rule.lung)
      expect(Math.abs(share - expectedShare(rule.id)) / expectedShare(rule.id), rule.id).toBeLessThan(0.08)
    }
  })

  it('places the lobes: upper ≈ 26 %, middle/lingula ≈ 24 %, lower 50 % of an ellipsoid lung', () => {
    const lobes = lobeLabelMap(regions)
    const counts = new Array<number>(LOBES.length + 1).fill(0)
    for (const l of lobes) counts[l]++
    const right = counts[1] + counts[2] + counts[3]
    const left = counts[4] + counts[5]
    expect(counts[lobeLabelOf('RUL')] / right).toBeCloseTo(slabFraction(1 / 3, 1), 1)
    expect(counts[lobeLabelOf('RML')] / right).toBeCloseTo(slabFraction(-1 / 3, 1 / 3) / 2, 1)
    expect(counts[lobeLabelOf('RLL')] / right).toBeCloseTo(0.5, 1)
    expect(counts[lobeLabelOf('LLL')] / left).toBeCloseTo(0.5, 1)
  })

  it('puts the test lesions’ centres in R9 (right lateral basal) and L3 (left anterior)', () => {
    expect(CTSS_REGION_RULES[regions[voxelAt(phantom, TEST_LESIONS.consolidation.centreMm)] - 1].id).toBe('R9')
    expect(CTSS_REGION_RULES[regions[voxelAt(phantom, TEST_LESIONS.groundGlass.centreMm)] - 1].id).toBe('L3')
  })

  it('reads the patient orientation: flipping every voxel axis keeps each world point in its region', () => {
    const flipped = createChestPhantom({ axisSigns: [-1, -1, -1] })
    const flippedRegions = partitionLungRegions(truthLungLabels(flipped), flipped.volume)
    const probes: Array<[number, number, number]> = [
      TEST_LESIONS.consolidation.centreMm,
      TEST_LESIONS.groundGlass.centreMm,
      [-60, 0, 100], // right apex
      [-40, -40, 0], // right middle lobe, medial
      [-90, -40, 0], // right middle lobe, lateral
      [80, 40, -60], // left lateral basal
      [40, -40, -60] // left medial basal
    ]
    for (const probe of probes) {
      const here = regions[voxelAt(phantom, probe)]
      expect(here).toBeGreaterThan(0)
      expect(flippedRegions[voxelAt(flipped, probe)]).toBe(here)
    }
    expect(CTSS_REGION_RULES[regions[voxelAt(phantom, [-40, -40, 0])] - 1].id).toBe('R5')
    expect(CTSS_REGION_RULES[regions[voxelAt(phantom, [-90, -40, 0])] - 1].id).toBe('R4')
    expect(CTSS_REGION_RULES[regions[voxelAt(phantom, [80, 40, -60])] - 1].id).toBe('L9')
    expect(CTSS_REGION_RULES[regions[voxelAt(phantom, [40, -40, -60])] - 1].id).toBe('L8')
    expect(regionCounts(flippedRegions)).toEqual(regionCounts(regions))
  })
})
