/**
 * Lobes from the patient's anatomy: the atlas' fissure surfaces (fissureAtlas.json, a statistical
 * shape model built from the Chest Imaging Platform's lobe atlas by scripts/build-fissure-atlas.ts)
 * brought into the patient's lungs and fitted to the fissures visible on the CT.
 *
 * 1. Registration, per lung: the atlas lives in the reference lung's standardised frame (centroid and
 *    per-axis standard deviation, fissureSurface.ts); the patient's lung is put in the same frame by
 *    its own centroid and standard deviations: an affine map (translation + per-axis scale) matching
 *    the lungs' first and second moments.
 * 2. Prior: the mean surface of each fissure (right oblique, right horizontal, left oblique).
 * 3. Evidence: along vertical columns every ~2 mm, the strongest plate response (fissureEvidence.ts)
 *    within a band around the current surface.
 * 4. Fit: the mode weights b minimising Σ w·(z − height(b))² / σ² + Σ (b_k / sd_k)², robustly
 *    reweighted (Tukey); then the evidence is looked for again in a narrow band round the fit and
 *    fitted once more. Where there is little evidence (thick slices, consolidation across the
 *    fissure, a grey volume without HU) the prior term keeps the surface at the atlas mean.
 * 5. Labels: each lung voxel below its lung's oblique fissure is lower lobe; above it on the right,
 *    below the horizontal fissure is middle lobe.
 *    Every lung voxel gets a lobe, consolidated lung included.
 */
import atlas from './fissureAtlas.json'
import { LEFT_LUNG_LABEL, RIGHT_LUNG_LABEL } from '../lungs/lungSeparation'
import { axialOrientation } from '../volume/volumeGeometry'
import type { Volume } from '../volume/volume'
import { BASIS_SIZE, solveSymmetric, surfaceBasis, surfaceGradient, surfaceHeight } from './fissureSurface'
import { plateResponse, smoothBox, type PlateProbe } from './fissureEvidence'
import { expandBox, maskBoundingBox } from '../morphology/boundingBox'
import { lobeLabelOf, type LungSide } from './regionRules'

export type FissureId = 'rightOblique' | 'rightHorizontal' | 'leftOblique'

interface FissureModel {
  id: FissureId
  lung: LungSide
  xRange: [number, number]
  yRange: [number, number]
  mean: number[]
  modes: number[][]
  sd: number[]
}

export const FISSURE_MODELS = atlas.fissures as unknown as readonly FissureModel[]

/** A lung's standardised frame in the volume's index-aligned mm coordinates (LPS up to the origin). */
export interface LungFrame {
  centroidMm: [number, number, number]
  sdMm: [number, number, number]
}

export interface FittedFissure {
  id: FissureId
  lung: LungSide
  /** the fitted height field's coefficients in the lung's standardised frame */
  coefficients: number[]
  /** the fitted mode weights, in standard deviations of the atlas */
  modeWeights: number[]
  /** columns with evidence kept by the robust fit / columns searched */
  evidenceColumns: number
  searchedColumns: number
  /** the columns searched for evidence, standardised (x, y) pairs */
  columns: Float32Array
  /** the kept evidence voxels, (i, j, k) triplets: for pictures */
  evidenceVoxels: Int32Array
  /** mean distance (along the surface normal) between the fitted surface and the kept evidence, mm */
  meanDistanceMm: number
  /** mean distance between the atlas mean surface and the same evidence, mm */
  priorDistanceMm: number
  /** mean distance between the fitted surface and the atlas mean surface over the searched columns, mm */
  shiftFromPriorMm: number
}

export interface LobeSegmentation {
  /** 0 outside the lungs, n for LOBES[n − 1] (1 RUL, 2 RML, 3 RLL, 4 LUL, 5 LLL) */
  labels: Uint8Array
  frames: Partial<Record<LungSide, LungFrame>>
  fissures: FittedFissure[]
  /** false when the volume is not in HU: the atlas mean surfaces were used unfitted */
  fitted: boolean
}

export interface LobeSegmentationOptions {
  /** Gaussian σ before the Hessian, mm */
  smoothingMm: number
  /** half-width of the first evidence band around the prior surface, mm */
  wideBandMm: number
  /** half-width of the second band around the first fit, mm */
  narrowBandMm: number
  /** spacing of the evidence columns, mm */
  columnStepMm: number
  /** weakest plate response kept as evidence, HU/mm² */
  minResponse: number
  /** the evidence's expected distance from the true fissure, mm (the fit's noise σ) */
  evidenceSigmaMm: number
  /** how far the free fit may leave the shape-model fit where evidence pulls it (its prior σ), mm */
  freedomMm: number
  /** false: the atlas mean surfaces as registered, no evidence (for comparison) */
  fitToEvidence: boolean
}

export const DEFAULT_LOBE_SEGMENTATION: LobeSegmentationOptions = {
  smoothingMm: 0.8,
  wideBandMm: 20,
  narrowBandMm: 6,
  columnStepMm: 2,
  minResponse: 15,
  evidenceSigmaMm: 3,
  freedomMm: 8,
  fitToEvidence: true
}

type Geometry = Pick<Volume, 'dimensions' | 'spacing' | 'direction'>

/** Index-aligned mm coordinate of index n along an axis (the origin drops out of standardised frames). */
function axisMm(index: number, spacing: number, sign: number): number {
  return sign * index * spacing
}

function lungFrames(lungLabels: Uint8Array, geometry: Geometry): Partial<Record<LungSide, LungFrame>> {
  const o = axialOrientation(geometry.direction)
  const signs = [o.towardLeft, o.towardPosterior, o.towardSuperior]
  const [nx, ny, nz] = geometry.dimensions
  const [sx, sy, sz] = geometry.spacing
  // both lungs in one pass over every second column and row, each lung's sums in scan order
  const sides = [
    { side: 'right' as const, label: RIGHT_LUNG_LABEL, sum: [0, 0, 0], sq: [0, 0, 0], n: 0 },
    { side: 'left' as const, label: LEFT_LUNG_LABEL, sum: [0, 0, 0], sq: [0, 0, 0], n: 0 }
  ]
  const [right, left] = sides
  for (let k = 0; k < nz; k++) {
    const z = axisMm(k, sz, signs[2])
    for (let j = 0; j < ny; j += 2) {
      const y = axisMm(j, sy, signs[1])
      const row = k * nx * ny + j * nx
      for (let i = 0; i < nx; i += 2) {
        const l = lungLabels[row + i]
        const s = l === right.label ? right : l === left.label ? left : undefined
        if (s === undefined) continue
        const x = axisMm(i, sx, signs[0])
        s.sum[0] += x
        s.sq[0] += x * x
        s.sum[1] += y
        s.sq[1] += y * y
        s.sum[2] += z
        s.sq[2] += z * z
        s.n++
      }
    }
  }
  const frames: Partial<Record<LungSide, LungFrame>> = {}
  for (const { side, sum, sq, n } of sides) {
    if (n < 100) continue
    const centroid = sum.map((v) => v / n) as [number, number, number]
    frames[side] = { centroidMm: centroid, sdMm: sq.map((v, a) => Math.sqrt(Math.max(v / n - centroid[a] ** 2, 1))) as [number, number, number] }
  }
  return frames
}

function coefficientsOf(model: FissureModel, weights: ArrayLike<number>): number[] {
  const c = model.mean.slice()
  model.modes.forEach((mode, k) => mode.forEach((v, r) => (c[r] += weights[k] * model.sd[k] * v)))
  return c
}

const clamp = (x: number, range: readonly [number, number]): number => Math.min(range[1], Math.max(range[0], x))

/**
 * The fissure's height (mm, index-aligned z) over a column at standardised (x, y). Beyond the atlas'
 * extent of the fissure a cubic is unconstrained, so it is continued along its tangent plane at the
 * extent's edge: an oblique fissure keeps descending to the front of the lung instead of flattening.
 */
function heightMm(coefficients: ArrayLike<number>, model: FissureModel, frame: LungFrame, x: number, y: number): number {
  const cx = clamp(x, model.xRange)
  const cy = clamp(y, model.yRange)
  const [gx, gy] = surfaceGradient(coefficients, cx, cy)
  return frame.centroidMm[2] + frame.sdMm[2] * (surfaceHeight(coefficients, cx, cy) + gx * (x - cx) + gy * (y - cy))
}

interface Evidence {
  /** the voxel */
  i: number
  j: number
  k: number
  x: number
  y: number
  /** observed height, standardised */
  z: number
  response: number
}

export function segmentLobes(
  volume: Pick<Volume, 'dimensions' | 'spacing' | 'direction' | 'data' | 'unit'>,
  lungLabels: Uint8Array,
  options: Partial<LobeSegmentationOptions> = {}
): LobeSegmentation {
  const settings = { ...DEFAULT_LOBE_SEGMENTATION, ...options }
  const frames = lungFrames(lungLabels, volume)
  const fitted = volume.unit === 'HU' && settings.fitToEvidence
  // the lungs' box, 4 voxels larger: where the fissure evidence is looked for
  const found = fitted ? maskBoundingBox(lungLabels, volume.dimensions) : undefined
  const grown = found && expandBox(found, [4, 4, 4], volume.dimensions)
  const box = grown && { from: grown.min, to: grown.max }
  const probe: PlateProbe | undefined = box
    ? {
        box: smoothBox(volume.data, volume.dimensions, volume.spacing, box.from, box.to, settings.smoothingMm),
        spacing: volume.spacing,
        aeratedBelowHu: -650,
        sheetContrastHu: 40,
        sideMm: 3
      }
    : undefined
  const fissures: FittedFissure[] = []
  const coefficientsById = new Map<FissureId, number[]>()
  for (const model of FISSURE_MODELS) {
    const frame = frames[model.lung]
    if (!frame) continue
    const label = model.lung === 'right' ? RIGHT_LUNG_LABEL : LEFT_LUNG_LABEL
    let weights = new Float64Array(model.modes.length)
    let coefficients = model.mean.slice()
    let evidence: Evidence[] = []
    let kept: boolean[] = []
    let searched = 0
    let columns: Float32Array = new Float32Array(0)
    if (probe && box) {
      const search = (current: ArrayLike<number>, bandMm: number): void => {
        ;({ evidence, searched, columns } = searchEvidence(probe, box, lungLabels, label, volume, frame, model, current, bandMm, settings))
      }
      const sigma = settings.evidenceSigmaMm / frame.sdMm[2]
      // Shape-model passes: wide band round the prior, then narrow round the first fit.
      search(model.mean, settings.wideBandMm)
      ;({ weights } = fitModes(model, evidence, sigma))
      search(coefficientsOf(model, weights), settings.narrowBandMm)
      ;({ weights } = fitModes(model, evidence, sigma))
      // Free passes: the whole cubic, held to the shape-model fit where evidence is missing.
      const shapeFit = coefficientsOf(model, weights)
      ;({ coefficients, kept } = fitFree(model, evidence, shapeFit, sigma, settings.freedomMm / frame.sdMm[2]))
      search(coefficients, settings.narrowBandMm)
      ;({ coefficients, kept } = fitFree(model, evidence, shapeFit, sigma, settings.freedomMm / frame.sdMm[2]))
    }
    coefficientsById.set(model.id, coefficients)
    const prior = model.mean
    let distance = 0
    let priorDistance = 0
    let count = 0
    evidence.forEach((e, n) => {
      if (!kept[n]) return
      distance += normalDistanceMm(coefficients, frame, e)
      priorDistance += normalDistanceMm(prior, frame, e)
      count++
    })
    fissures.push({
      id: model.id,
      lung: model.lung,
      coefficients,
      modeWeights: [...weights],
      evidenceColumns: count,
      evidenceVoxels: Int32Array.from(evidence.filter((_, n) => kept[n]).flatMap((e) => [e.i, e.j, e.k])),
      searchedColumns: searched,
      meanDistanceMm: count ? distance / count : NaN,
      priorDistanceMm: count ? priorDistance / count : NaN,
      columns,
      shiftFromPriorMm: heightGapMm(coefficients, prior, columns, frame)
    })
  }
  return { labels: labelLobes(lungLabels, volume, frames, coefficientsById), frames, fissures, fitted }
}

/**
 * Per column every ~2 mm over the lung (and the atlas' extent of the fissure), the voxel of strongest
 * plate response within ±bandMm (along the surface normal) of the current surface.
 */
function searchEvidence(
  probe: PlateProbe,
  box: { from: [number, number, number]; to: [number, number, number] },
  lungLabels: Uint8Array,
  label: number,
  geometry: Geometry,
  frame: LungFrame,
  model: FissureModel,
  current: ArrayLike<number>,
  bandMm: number,
  settings: LobeSegmentationOptions
): { evidence: Evidence[]; searched: number; columns: Float32Array } {
  const o = axialOrientation(geometry.direction)
  const signs = [o.towardLeft, o.towardPosterior, o.towardSuperior]
  const [nx, ny, nz] = geometry.dimensions
  const [sx, sy, sz] = geometry.spacing
  const step = [Math.max(1, Math.round(settings.columnStepMm / sx)), Math.max(1, Math.round(settings.columnStepMm / sy))]
  const evidence: Evidence[] = []
  const columns: number[] = []
  let searched = 0
  for (let j = box.from[1] + 1; j < box.to[1]; j += step[1]) {
    const y = (axisMm(j, sy, signs[1]) - frame.centroidMm[1]) / frame.sdMm[1]
    if (y < model.yRange[0] || y > model.yRange[1]) continue
    for (let i = box.from[0] + 1; i < box.to[0]; i += step[0]) {
      const x = (axisMm(i, sx, signs[0]) - frame.centroidMm[0]) / frame.sdMm[0]
      if (x < model.xRange[0] || x > model.xRange[1]) continue
      const zMm = frame.centroidMm[2] + frame.sdMm[2] * surfaceHeight(current, x, y)
      const k0 = Math.round(zMm / (signs[2] * sz))
      if (k0 < 0 || k0 >= nz || lungLabels[k0 * nx * ny + j * nx + i] !== label) continue
      searched++
      columns.push(x, y)
      // The current surface's unit normal, in voxel-axis directions.
      const [gx, gy] = surfaceGradient(current, x, y)
      const dzdx = (gx * frame.sdMm[2]) / frame.sdMm[0]
      const dzdy = (gy * frame.sdMm[2]) / frame.sdMm[1]
      const norm = Math.hypot(dzdx, dzdy, 1)
      const normal: [number, number, number] = [(-dzdx / norm) * signs[0], (-dzdy / norm) * signs[1], (1 / norm) * signs[2]]
      // A band measured along the normal reaches norm times as far vertically.
      const band = Math.ceil((bandMm * norm) / sz)
      let best = 0
      let bestK = -1
      for (let k = Math.max(box.from[2] + 1, k0 - band); k <= Math.min(box.to[2] - 1, k0 + band); k++) {
        if (lungLabels[k * nx * ny + j * nx + i] !== label) continue
        const r = plateResponse(probe, i - box.from[0], j - box.from[1], k - box.from[2], normal)
        if (r > best) {
          best = r
          bestK = k
        }
      }
      if (best < settings.minResponse) continue
      evidence.push({ i, j, k: bestK, x, y, z: (axisMm(bestK, sz, signs[2]) - frame.centroidMm[2]) / frame.sdMm[2], response: best })
    }
  }
  return { evidence, searched, columns: Float32Array.from(columns) }
}

/**
 * The whole cubic fitted to the evidence, held to the shape-model fit by pseudo-observations of it
 * on a grid over the atlas' extent of the fissure (σ = freedom): a fissure the modes cannot bend to
 * is followed where it is seen, and the shape-model surface stays where nothing is seen.
 * Tukey-reweighted like fitModes.
 */
function fitFree(model: FissureModel, evidence: Evidence[], anchor: number[], sigma: number, freedom: number): { coefficients: number[]; kept: boolean[] } {
  const n = BASIS_SIZE
  const anchorAta = new Float64Array(n * n)
  const anchorAtb = new Float64Array(n)
  const basis = new Float64Array(n)
  for (let y = model.yRange[0]; y <= model.yRange[1]; y += 0.2)
    for (let x = model.xRange[0]; x <= model.xRange[1]; x += 0.2) {
      surfaceBasis(x, y, basis)
      const h = surfaceHeight(anchor, x, y)
      for (let r = 0; r < n; r++) {
        anchorAtb[r] += (basis[r] * h) / (freedom * freedom)
        for (let c = 0; c < n; c++) anchorAta[r * n + c] += (basis[r] * basis[c]) / (freedom * freedom)
      }
    }
  const bases = evidence.map((e) => Float64Array.from(surfaceBasis(e.x, e.y)))
  let coefficients = anchor.slice()
  let robust = evidence.map(() => 1)
  const tukey = 3 * sigma
  for (let iteration = 0; iteration < 4; iteration++) {
    const ata = Float64Array.from(anchorAta)
    const atb = Float64Array.from(anchorAtb)
    evidence.forEach((e, m) => {
      const w = robust[m] / (sigma * sigma)
      if (w === 0) return
      const b = bases[m]
      for (let r = 0; r < n; r++) {
        atb[r] += w * b[r] * e.z
        for (let c = 0; c < n; c++) ata[r * n + c] += w * b[r] * b[c]
      }
    })
    coefficients = [...solveSymmetric(ata, atb, n)]
    robust = evidence.map((e) => {
      const r = e.z - surfaceHeight(coefficients, e.x, e.y)
      return Math.abs(r) >= tukey ? 0 : (1 - (r / tukey) ** 2) ** 2
    })
  }
  return { coefficients, kept: robust.map((w) => w > 0) }
}

/** Distance from an evidence point to a height field along the field's normal (first order), mm. */
function normalDistanceMm(coefficients: ArrayLike<number>, frame: LungFrame, e: Evidence): number {
  const dz = (e.z - surfaceHeight(coefficients, e.x, e.y)) * frame.sdMm[2]
  const [gx, gy] = surfaceGradient(coefficients, e.x, e.y)
  return Math.abs(dz) / Math.hypot((gx * frame.sdMm[2]) / frame.sdMm[0], (gy * frame.sdMm[2]) / frame.sdMm[1], 1)
}

/**
 * The mode weights (in atlas standard deviations) of the maximum a posteriori surface: Gaussian prior
 * N(0, 1) per weight, evidence with noise σ (standardised units), Tukey-reweighted three times so a
 * vessel wall or a lesion edge far from the surface does not pull it.
 */
function fitModes(model: FissureModel, evidence: Evidence[], sigma: number): { weights: Float64Array<ArrayBuffer>; kept: boolean[] } {
  const m = model.modes.length
  const basis = new Float64Array(BASIS_SIZE)
  // Per evidence point: the residual from the mean and each mode's height there (scaled by its sd).
  const rows = evidence.map((e) => {
    surfaceBasis(e.x, e.y, basis)
    const meanHeight = model.mean.reduce((s, c, r) => s + c * basis[r], 0)
    const modeHeights = model.modes.map((mode, k) => model.sd[k] * mode.reduce((s, c, r) => s + c * basis[r], 0))
    return { residual: e.z - meanHeight, modeHeights }
  })
  let weights = new Float64Array(m)
  let robust = rows.map(() => 1)
  const tukey = 3 * sigma
  for (let iteration = 0; iteration < 4; iteration++) {
    const ata = new Float64Array(m * m)
    const atb = new Float64Array(m)
    rows.forEach((row, n) => {
      const w = robust[n] / (sigma * sigma)
      if (w === 0) return
      for (let a = 0; a < m; a++) {
        atb[a] += w * row.modeHeights[a] * row.residual
        for (let b = 0; b < m; b++) ata[a * m + b] += w * row.modeHeights[a] * row.modeHeights[b]
      }
    })
    for (let a = 0; a < m; a++) ata[a * m + a] += 1
    weights = solveSymmetric(ata, atb, m)
    robust = rows.map((row) => {
      const r = row.residual - row.modeHeights.reduce((s, h, k) => s + h * weights[k], 0)
      return Math.abs(r) >= tukey ? 0 : (1 - (r / tukey) ** 2) ** 2
    })
  }
  return { weights, kept: robust.map((w) => w > 0) }
}

/**
 * The mean vertical gap between two height fields of a fissure over the patient's columns that were
 * searched for it (standardised (x, y) pairs), mm: how far a fit moved from the prior, or two fits
 * from each other, where the lung is (beyond it a cubic is unconstrained and its gap meaningless).
 */
export function heightGapMm(a: ArrayLike<number>, b: ArrayLike<number>, columns: Float32Array, frame: LungFrame): number {
  let gap = 0
  for (let t = 0; t < columns.length; t += 2) gap += Math.abs(surfaceHeight(a, columns[t], columns[t + 1]) - surfaceHeight(b, columns[t], columns[t + 1]))
  return columns.length ? (2 * gap * frame.sdMm[2]) / columns.length : 0
}

/** Labels every lung voxel with its lobe from the fissure height fields (per column, then per slice). */
export function labelLobes(
  lungLabels: Uint8Array,
  geometry: Geometry,
  frames: Partial<Record<LungSide, LungFrame>>,
  coefficients: Map<FissureId, number[]>
): Uint8Array {
  const o = axialOrientation(geometry.direction)
  const signs = [o.towardLeft, o.towardPosterior, o.towardSuperior]
  const [nx, ny] = geometry.dimensions
  const [sx, sy, sz] = geometry.spacing
  const lobes = new Uint8Array(lungLabels.length)
  // Only the lungs' box holds lung: its columns and slices are all that is visited.
  const box = maskBoundingBox(lungLabels, geometry.dimensions)
  if (!box) return lobes
  const [i0, j0, k0] = box.min
  const [i1, j1, k1] = box.max
  const model = (id: FissureId): FissureModel => FISSURE_MODELS.find((f) => f.id === id)!
  const sides = [
    { side: 'right' as const, label: RIGHT_LUNG_LABEL, oblique: 'rightOblique' as const, upper: lobeLabelOf('RUL'), lower: lobeLabelOf('RLL'), middle: lobeLabelOf('RML') },
    { side: 'left' as const, label: LEFT_LUNG_LABEL, oblique: 'leftOblique' as const, upper: lobeLabelOf('LUL'), lower: lobeLabelOf('LLL'), middle: 0 }
  ]
  for (const s of sides) {
    const frame = frames[s.side]
    if (!frame) continue
    const oblique = model(s.oblique)
    const horizontal = model('rightHorizontal')
    const obliqueC = coefficients.get(s.oblique) ?? oblique.mean
    const horizontalC = coefficients.get('rightHorizontal') ?? horizontal.mean
    // Per column: the oblique and horizontal fissure heights (index-aligned mm).
    const obliqueZ = new Float64Array(nx * ny)
    const horizontalZ = new Float64Array(nx * ny).fill(-Infinity)
    for (let j = j0; j <= j1; j++) {
      const y = (axisMm(j, sy, signs[1]) - frame.centroidMm[1]) / frame.sdMm[1]
      for (let i = i0; i <= i1; i++) {
        const x = (axisMm(i, sx, signs[0]) - frame.centroidMm[0]) / frame.sdMm[0]
        obliqueZ[j * nx + i] = heightMm(obliqueC, oblique, frame, x, y)
        // Behind the atlas' extent the horizontal fissure's height is held (clamped); there the oblique
        // fissure runs higher, so what lies above the oblique one there is upper lobe.
        if (s.middle) horizontalZ[j * nx + i] = heightMm(horizontalC, horizontal, frame, x, y)
      }
    }
    const { label, lower, middle, upper } = s
    for (let k = k0; k <= k1; k++) {
      const z = axisMm(k, sz, signs[2])
      const slice = k * nx * ny
      for (let j = j0; j <= j1; j++) {
        // c: the column (index in the slice)
        for (let c = j * nx + i0; c <= j * nx + i1; c++) {
          if (lungLabels[slice + c] !== label) continue
          lobes[slice + c] = z < obliqueZ[c] ? lower : middle && z < horizontalZ[c] ? middle : upper
        }
      }
    }
  }
  return lobes
}
