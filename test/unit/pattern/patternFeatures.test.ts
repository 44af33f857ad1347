import { describe, expect, it } from 'vitest'
import { squaredDistanceToFeature3d } from '../../../src/main/morphology/distanceTransform3d'
import { measurePatternFeatures, symmetricEigenRange } from '../../../src/main/pattern/patternFeatures'
import { partitionLungRegions } from '../../../src/main/regions/regions'
import { ctPattern, type PatternFeatures } from '../../../src/shared/ctPattern'

describe('the 3D distance transform at the voxel spacing', () => {
  it('equals the brute-force nearest feature distance on an anisotropic grid', () => {
    const dims = [9, 7, 5] as const
    const spacing = [0.7, 0.8, 2.5]
    const volume = new Uint8Array(9 * 7 * 5)
    for (const v of [3, 100, 200, 311]) volume[v] = 1
    const d = squaredDistanceToFeature3d(volume, dims, spacing, 1, false)
    const features = [...volume.keys()].filter((v) => volume[v] === 1)
    const xyz = (v: number): number[] => [v % 9, Math.floor(v / 9) % 7, Math.floor(v / 63)]
    for (let v = 0; v < volume.length; v++) {
      const p = xyz(v)
      const brute = Math.min(...features.map((f) => xyz(f).reduce((s, c, a) => s + ((c - p[a]) * spacing[a]) ** 2, 0)))
      expect(d[v]).toBeCloseTo(brute, 3)
    }
  })
})

describe('principal variances', () => {
  it('gives the extreme eigenvalues of a symmetric 3×3 matrix', () => {
    expect(symmetricEigenRange(2, 3, 5, 0, 0, 0)).toEqual([2, 5])
    // [[2,1,0],[1,2,0],[0,0,7]]: eigenvalues 1, 3, 7
    const [low, high] = symmetricEigenRange(2, 2, 7, 1, 0, 0)
    expect(low).toBeCloseTo(1, 9)
    expect(high).toBeCloseTo(7, 9)
  })
})

/**
 * A phantom: two box lungs (1 right at low i, 2 left) 40 × 40 × 40 voxels of 1 mm, with lesions of
 * known size and place, so every feature has a value to compute by hand.
 */
function phantom(): { geometry: { dimensions: [number, number, number]; spacing: [number, number, number]; direction: number[] }; lungLabels: Uint8Array } {
  const dimensions: [number, number, number] = [100, 50, 44]
  const lungLabels = new Uint8Array(100 * 50 * 44)
  for (let k = 2; k < 42; k++) {
    for (let j = 5; j < 45; j++) {
      for (let i = 5; i < 45; i++) lungLabels[k * 5000 + j * 100 + i] = 1
      for (let i = 55; i < 95; i++) lungLabels[k * 5000 + j * 100 + i] = 2
    }
  }
  return { geometry: { dimensions, spacing: [1, 1, 1], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1] }, lungLabels }
}

function cube(labels: Uint8Array, from: [number, number, number], size: number, label: number): void {
  for (let k = from[2]; k < from[2] + size; k++) for (let j = from[1]; j < from[1] + size; j++) for (let i = from[0]; i < from[0] + size; i++) labels[k * 5000 + j * 100 + i] = label
}

describe('pattern features on a phantom', () => {
  const { geometry, lungLabels } = phantom()
  const regionLabels = partitionLungRegions(lungLabels, geometry)

  it('counts lesions, sides, types and the costal band as drawn', () => {
    const infection = new Uint8Array(lungLabels.length)
    cube(infection, [5, 20, 20], 10, 1) // 1 mL ground glass on the right lung's lateral surface
    cube(infection, [85, 20, 20], 10, 2) // 1 mL consolidation on the left lung's lateral surface
    cube(infection, [20, 20, 20], 5, 1) // 0.125 mL: under the lesion minimum
    const f = measurePatternFeatures({ geometry, lungLabels, regionLabels, infectionLabels: infection })
    expect(f.lesionCount).toBe(2)
    expect([f.rightLungMl, f.leftLungMl]).toEqual([1, 1])
    expect(f.bilateral).toBe(false) // each lesion 1 mL, under the 2 mL a lung needs to count
    expect(f.groundGlassFraction).toBe(0.5)
    // every voxel lies within 10 mm of the outside of the lungs' hull (x from 0 to 9 mm from it)
    expect(f.subpleuralFraction).toBe(1)
    expect(f.roundness).toBeCloseTo(1, 9) // cubes: equal principal variances
    expect(f.largestLesion?.volumeMl).toBe(1)
  })

  it('calls a whole consolidated lobe lobar consolidation, and nothing negative', () => {
    const regions = regionLabels
    const infection = new Uint8Array(lungLabels.length)
    const lobes = new Set([6, 7, 8, 9, 10].map((n) => n)) // R6–R10: the right lower lobe's regions
    for (let v = 0; v < infection.length; v++) if (lobes.has(regions[v])) infection[v] = 2
    const p = ctPattern(measurePatternFeatures({ geometry, lungLabels, regionLabels, infectionLabels: infection }))
    expect(p.features.largestLesion).toMatchObject({ lobe: 'RLL', lobeShare: 1, groundGlassFraction: 0, shareOfInfection: 1 })
    expect([p.rsna, p.coRads]).toEqual(['atypical', 2])
    expect(ctPattern(measurePatternFeatures({ geometry, lungLabels, regionLabels, infectionLabels: new Uint8Array(lungLabels.length) }))).toMatchObject({ rsna: 'negative', coRads: 1 })
  })
})

describe('the category rules on features', () => {
  const typical: PatternFeatures = {
    infectedVolumeMl: 120, percentInfected: 3, lesionCount: 6, lesionMinMl: 0.5, rightLungMl: 40, leftLungMl: 80, bilateral: true,
    subpleuralFraction: 0.4, subpleuralBandMm: 10, peripheralFraction: 0.75, lowerLobeFraction: 0.7, groundGlassFraction: 0.94,
    consolidationFraction: 0.06, perihilarFraction: 0.05, roundness: 0.5,
    largestLesion: { volumeMl: 50, lobe: 'LLL', lobeShare: 0.08, groundGlassFraction: 0.95, shareOfInfection: 0.4, roundness: 0.5 },
    lobesInvolved: ['RLL', 'LUL', 'LLL']
  }
  const category = (f: Partial<PatternFeatures>): [string, number] => {
    const p = ctPattern({ ...typical, ...f })
    return [p.rsna, p.coRads]
  }
  it('moves one rule at a time', () => {
    expect(category({})).toEqual(['typical', 5])
    expect(category({ bilateral: false })).toEqual(['indeterminate', 4])
    expect(category({ peripheralFraction: 0.3 })).toEqual(['indeterminate', 3])
    expect(category({ peripheralFraction: 0.3, perihilarFraction: 0.6 })).toEqual(['indeterminate', 3])
    expect(category({ groundGlassFraction: 0.3 })).toEqual(['indeterminate', 4])
    expect(category({ lesionCount: 1 })).toEqual(['typical', 4])
    expect(category({ percentInfected: 0.05 })).toEqual(['negative', 1])
    expect(category({ largestLesion: { ...typical.largestLesion!, groundGlassFraction: 0.1, lobeShare: 0.4, shareOfInfection: 0.9 } })).toEqual(['atypical', 2])
    // a large consolidation that is not isolated (other disease beside it) is not lobar pneumonia
    expect(category({ largestLesion: { ...typical.largestLesion!, groundGlassFraction: 0.1, lobeShare: 0.4, shareOfInfection: 0.5 } })).toEqual(['typical', 5])
  })
  it('writes the evidence line with the category', () => {
    expect(ctPattern(typical).evidence).toBe(
      'bilateral, 6 lesions ≥ 0.5 mL, 75 % peripheral (outer third), 40 % within 10 mm of the pleura, lower-lobe predominant (70 %), ground glass 94 %, perihilar 5 %, largest lesion 50.0 mL, 8 % of the LLL, roundness 0.50 → RSNA typical, CO-RADS 5'
    )
  })
})
