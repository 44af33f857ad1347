/**
 * The features of a study's infection that the CT pattern rules read (src/shared/ctPattern.ts),
 * measured on the label maps the scores use: lungs (1 right, 2 left), lobes (through the region
 * partition's lobe API, so anatomical lobes come in with it), infection (1 ground glass,
 * 2 consolidation, other nonzero infected of unknown type).
 *
 * Costal surface: the outside of the lungs' per-slice convex hull. The mediastinum and the hila lie
 * inside that hull, so the distance to it is the distance to the costal (and diaphragmatic, through
 * the z pass) pleura, not to the mediastinal pleura: "peripheral" in the radiological sense.
 */
import { LEFT_LUNG_LABEL, RIGHT_LUNG_LABEL } from '../lungs/lungSeparation'
import { maskBoundingBox, expandBox, cropToBox, boxDimensions } from '../morphology/boundingBox'
import { labelComponents3d } from '../morphology/connectedComponents3d'
import { fillConvexHull2d } from '../morphology/convexHull2d'
import { squaredDistanceToFeature3d } from '../morphology/distanceTransform3d'
import { LOBES, lobeLabelMap } from '../regions/regions'
import { INFECTION_LABEL } from '../scores/scores'
import { voxelVolumeMm3, type VolumeGeometry } from '../volume/volumeGeometry'
import { BILATERAL_MIN_LESION_ML, PATTERN_LESION_MIN_ML, SUBPLEURAL_BAND_MM, type PatternFeatures } from '../../shared/ctPattern'

export interface PatternInput {
  geometry: VolumeGeometry
  lungLabels: Uint8Array
  /** 0 outside the lungs, n for CTSS_REGION_RULES[n − 1] */
  regionLabels: Uint8Array
  infectionLabels: Uint8Array
}

/** The perihilar zone: the middle third of the lungs' height, and the inner third of a slice's depth from the costal surface. */
const PERIHILAR_INNER_FRACTION = 2 / 3
/** The peripheral zone: the outer third of a slice's depth from the costal surface (Bernheim et al. 2020). */
const PERIPHERAL_OUTER_FRACTION = 1 / 3

interface LesionSums {
  voxels: number
  ggo: number
  consolidation: number
  right: number
  left: number
  lobe: Float64Array
  // first and second moments of the voxel centres, mm
  sx: number
  sy: number
  sz: number
  sxx: number
  syy: number
  szz: number
  sxy: number
  sxz: number
  syz: number
}

const newSums = (): LesionSums => ({
  voxels: 0, ggo: 0, consolidation: 0, right: 0, left: 0, lobe: new Float64Array(LOBES.length + 1),
  sx: 0, sy: 0, sz: 0, sxx: 0, syy: 0, szz: 0, sxy: 0, sxz: 0, syz: 0
})

export function measurePatternFeatures(input: PatternInput): PatternFeatures {
  const { geometry, lungLabels, regionLabels, infectionLabels } = input
  const voxelMl = voxelVolumeMm3(geometry.spacing) / 1000
  const [sx, sy, sz] = geometry.spacing
  let infectedVoxels = 0
  let lungVoxels = 0
  for (let v = 0; v < lungLabels.length; v++) {
    if (lungLabels[v] !== 0) lungVoxels++
    if (infectionLabels[v] !== 0) infectedVoxels++
  }
  const lungBox = maskBoundingBox(lungLabels, geometry.dimensions)
  const empty: PatternFeatures = {
    infectedVolumeMl: infectedVoxels * voxelMl,
    percentInfected: lungVoxels === 0 ? 0 : (100 * infectedVoxels) / lungVoxels,
    lesionCount: 0,
    lesionMinMl: PATTERN_LESION_MIN_ML,
    rightLungMl: 0,
    leftLungMl: 0,
    bilateral: false,
    subpleuralFraction: 0,
    peripheralFraction: 0,
    subpleuralBandMm: SUBPLEURAL_BAND_MM,
    lowerLobeFraction: 0,
    groundGlassFraction: 0,
    consolidationFraction: 0,
    perihilarFraction: 0,
    roundness: 0,
    largestLesion: null,
    lobesInvolved: []
  }
  if (!lungBox || infectedVoxels === 0) return empty

  // Everything below works in the lungs' box, one voxel larger so its frame lies outside the lungs.
  const box = expandBox(lungBox, [1, 1, 1], geometry.dimensions)
  const dims = boxDimensions(box)
  const [nx, ny, nz] = dims
  const sliceSize = nx * ny
  const lungs = cropToBox(lungLabels, geometry.dimensions, box)
  const infection = cropToBox(infectionLabels, geometry.dimensions, box)
  const lobes = lobeLabelMap(cropToBox(regionLabels, geometry.dimensions, box))

  const hull = new Uint8Array(lungs.length)
  const lungSlice = new Uint8Array(sliceSize)
  let firstLungSlice = -1
  let lastLungSlice = -1
  for (let k = 0; k < nz; k++) {
    let any = false
    for (let p = 0; p < sliceSize; p++) {
      lungSlice[p] = lungs[k * sliceSize + p] !== 0 ? 1 : 0
      if (lungSlice[p]) any = true
    }
    if (!any) continue
    if (firstLungSlice < 0) firstLungSlice = k
    lastLungSlice = k
    fillConvexHull2d(lungSlice, nx, ny, hull.subarray(k * sliceSize, (k + 1) * sliceSize))
  }
  const costal = squaredDistanceToFeature3d(hull, dims, geometry.spacing, 0, true)

  // The inner third of each slice: deeper than ⅔ of the slice's deepest lung voxel.
  // …and the outer third: within ⅓ of it.
  const innerSquared = new Float32Array(nz)
  const outerSquared = new Float32Array(nz)
  for (let k = 0; k < nz; k++) {
    let deepest = 0
    for (let p = k * sliceSize; p < (k + 1) * sliceSize; p++) if (lungs[p] !== 0 && costal[p] > deepest) deepest = costal[p]
    innerSquared[k] = deepest * PERIHILAR_INNER_FRACTION * PERIHILAR_INNER_FRACTION
    outerSquared[k] = deepest * PERIPHERAL_OUTER_FRACTION * PERIPHERAL_OUTER_FRACTION
  }
  const height = lastLungSlice - firstLungSlice + 1
  const middleFrom = firstLungSlice + height / 3
  const middleTo = firstLungSlice + (2 * height) / 3

  const components = labelComponents3d(infection, dims)
  const minVoxels = PATTERN_LESION_MIN_ML / voxelMl
  const isLesion = components.sizes.map((n) => n >= minVoxels)
  const lungMinVoxels = BILATERAL_MIN_LESION_ML / voxelMl
  const sums = new Map<number, LesionSums>()
  const band = SUBPLEURAL_BAND_MM * SUBPLEURAL_BAND_MM
  const lowerLobes = new Set(LOBES.flatMap((l, i) => (l.id === 'RLL' || l.id === 'LLL' ? [i + 1] : [])))
  let lesionVoxels = 0
  let subpleural = 0
  let outer = 0
  let lower = 0
  let perihilar = 0
  let ggo = 0
  let consolidation = 0
  const lobeVoxels = new Float64Array(LOBES.length + 1)
  for (let v = 0; v < lobes.length; v++) lobeVoxels[lobes[v]]++

  for (let r = 0; r < components.runComponent.length; r++) {
    const c = components.runComponent[r]
    if (!isLesion[c]) continue
    let s = sums.get(c)
    if (!s) sums.set(c, (s = newSums()))
    const row = components.runRow[r]
    const j = row % ny
    const k = (row - j) / ny
    const middle = k >= middleFrom && k < middleTo
    const y = j * sy
    const z = k * sz
    for (let i = components.runStart[r]; i < components.runEnd[r]; i++) {
      const v = row * nx + i
      const x = i * sx
      s.voxels++
      s.sx += x
      s.sy += y
      s.sz += z
      s.sxx += x * x
      s.syy += y * y
      s.szz += z * z
      s.sxy += x * y
      s.sxz += x * z
      s.syz += y * z
      const label = infection[v]
      if (label === INFECTION_LABEL.groundGlass) s.ggo++
      else if (label === INFECTION_LABEL.consolidation) s.consolidation++
      if (lungs[v] === RIGHT_LUNG_LABEL) s.right++
      else if (lungs[v] === LEFT_LUNG_LABEL) s.left++
      s.lobe[lobes[v]]++
      if (lowerLobes.has(lobes[v])) lower++
      if (costal[v] <= band) subpleural++
      if (costal[v] <= outerSquared[k]) outer++
      if (middle && costal[v] >= innerSquared[k]) perihilar++
    }
  }
  const lesions = [...sums.values()]
  for (const s of lesions) {
    lesionVoxels += s.voxels
    ggo += s.ggo
    consolidation += s.consolidation
  }
  if (lesions.length === 0) return empty

  const right = lesions.reduce((n, s) => n + s.right, 0)
  const left = lesions.reduce((n, s) => n + s.left, 0)
  const lobeInfected = new Float64Array(LOBES.length + 1)
  for (const s of lesions) for (let l = 1; l <= LOBES.length; l++) lobeInfected[l] += s.lobe[l]
  const roundnessOf = lesions.map(roundness)
  const largestIndex = lesions.reduce((best, s, i) => (s.voxels > lesions[best].voxels ? i : best), 0)
  const largest = lesions[largestIndex]
  let mainLobe = 1
  for (let l = 2; l <= LOBES.length; l++) if (largest.lobe[l] > largest.lobe[mainLobe]) mainLobe = l
  const typed = (s: { ggo: number; consolidation: number }): number => (s.ggo + s.consolidation === 0 ? 0 : s.ggo / (s.ggo + s.consolidation))

  return {
    ...empty,
    lesionCount: lesions.length,
    rightLungMl: right * voxelMl,
    leftLungMl: left * voxelMl,
    bilateral: lesions.some((s) => s.right >= s.left && s.voxels >= lungMinVoxels) && lesions.some((s) => s.left > s.right && s.voxels >= lungMinVoxels),
    subpleuralFraction: subpleural / lesionVoxels,
    peripheralFraction: outer / lesionVoxels,
    lowerLobeFraction: lower / lesionVoxels,
    groundGlassFraction: typed({ ggo, consolidation }),
    consolidationFraction: ggo + consolidation === 0 ? 0 : consolidation / (ggo + consolidation),
    perihilarFraction: perihilar / lesionVoxels,
    roundness: lesions.reduce((n, s, i) => n + s.voxels * roundnessOf[i], 0) / lesionVoxels,
    largestLesion: {
      volumeMl: largest.voxels * voxelMl,
      lobe: LOBES[mainLobe - 1].id,
      lobeShare: lobeVoxels[mainLobe] === 0 ? 0 : largest.lobe[mainLobe] / lobeVoxels[mainLobe],
      groundGlassFraction: typed(largest),
      shareOfInfection: largest.voxels / lesionVoxels,
      roundness: roundnessOf[largestIndex]
    },
    lobesInvolved: LOBES.filter((_, i) => lobeInfected[i + 1] >= minVoxels).map((l) => l.id)
  }
}

/**
 * √(smallest / largest eigenvalue) of the lesion's covariance (mm²): 1 for a sphere or a cube, the
 * short-to-long axis ratio for an ellipsoid, near 0 for a sheet or a tube.
 */
function roundness(s: LesionSums): number {
  const n = s.voxels
  const mx = s.sx / n
  const my = s.sy / n
  const mz = s.sz / n
  const a = s.sxx / n - mx * mx
  const b = s.syy / n - my * my
  const c = s.szz / n - mz * mz
  const d = s.sxy / n - mx * my
  const e = s.syz / n - my * mz
  const f = s.sxz / n - mx * mz
  const [low, high] = symmetricEigenRange(a, b, c, d, e, f)
  return high <= 0 ? 1 : Math.sqrt(Math.max(0, low) / high)
}

/**
 * The smallest and largest eigenvalue of [[a, d, f], [d, b, e], [f, e, c]], by the trigonometric
 * solution of the characteristic cubic (Smith 1961): closed form, no iteration.
 */
export function symmetricEigenRange(a: number, b: number, c: number, d: number, e: number, f: number): [number, number] {
  const p1 = d * d + e * e + f * f
  if (p1 === 0) return [Math.min(a, b, c), Math.max(a, b, c)]
  const q = (a + b + c) / 3
  const p2 = (a - q) ** 2 + (b - q) ** 2 + (c - q) ** 2 + 2 * p1
  const p = Math.sqrt(p2 / 6)
  // B = (A − qI) / p; r = det(B) / 2
  const [ba, bb, bc, bd, be, bf] = [(a - q) / p, (b - q) / p, (c - q) / p, d / p, e / p, f / p]
  const det = ba * (bb * bc - be * be) - bd * (bd * bc - be * bf) + bf * (bd * be - bb * bf)
  const r = Math.min(1, Math.max(-1, det / 2))
  const phi = Math.acos(r) / 3
  const largest = q + 2 * p * Math.cos(phi)
  const smallest = q + 2 * p * Math.cos(phi + (2 * Math.PI) / 3)
  return [smallest, largest]
}
