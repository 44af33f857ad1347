/**
 * Builds src/main/regions/fissureAtlas.json, the statistical shape model of the three fissures that
 * the lobe segmentation fits to a CT, from the Chest Imaging Platform's lobe atlas
 * (../shared/data/lobe-atlas: 100 COPDGene cases' fissure points in mm, each case's affine transform to
 * the reference case 10002K, and 10002K's left/right lung mask; BSD-style CIP licence, attribution
 * required, see LICENSE.txt there and docs/lobes.md).
 *
 *   npx jiti scripts/build-fissure-atlas.ts
 *
 * 1. The inspiratory cases only (case id _INSP_). Each case's points go into the reference case's space through the inverse of its transform (the
 *    ITK transform maps reference points to case points: only the inverse puts ~90 % of the points
 *    inside the reference lungs; the forward map puts ~5 %).
 * 2. Each lung of the reference mask gives its centroid and per-axis standard deviation (mm); points
 *    are standardised by them (fissureSurface.ts), the frame the patient's lungs are matched in.
 * 3. Per case and fissure, a cubic height field is fitted to the points (least squares, light ridge).
 * 4. Principal modes: PCA of the cases' heights sampled on the reference lung's footprint (so a mode's
 *    size is in height, not in coefficients), mapped back to coefficients.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gunzipSync } from 'node:zlib'
import { BASIS_SIZE, solveSymmetric, surfaceBasis, surfaceHeight } from '../src/main/regions/fissureSurface'

const root = resolve(fileURLToPath(new URL('.', import.meta.url)), '..')
const atlasDir = resolve(root, '../shared/data/lobe-atlas')
const reference = '10002K_INSP_STD_BWH_COPD'
type Side = 'right' | 'left'
type FissureId = 'rightOblique' | 'rightHorizontal' | 'leftOblique'
const FISSURES: Array<{ id: FissureId; lung: Side }> = [
  { id: 'rightOblique', lung: 'right' },
  { id: 'rightHorizontal', lung: 'right' },
  { id: 'leftOblique', lung: 'left' }
]

// --- the reference lung mask (gzip NRRD, LPS, axis-aligned) ---
const nrrd = readFileSync(`${atlasDir}/${reference}_leftLungRightLung.nrrd`)
const headerEnd = nrrd.indexOf('\n\n')
const header = nrrd.subarray(0, headerEnd).toString()
const field = (name: string): string => header.match(new RegExp(`^${name}: (.*)$`, 'm'))![1]
const sizes = field('sizes').split(' ').map(Number)
const spacing = [...field('space directions').matchAll(/\(([^)]*)\)/g)].map((m, axis) => Number(m[1].split(',')[axis]))
const origin = field('space origin').replace(/[()]/g, '').split(',').map(Number)
const raw = gunzipSync(nrrd.subarray(headerEnd + 2))
const mask = new Uint16Array(raw.buffer, raw.byteOffset, raw.length / 2)
const [nx, ny, nz] = sizes

interface LungFrame { label: number; centroidMm: number[]; sdMm: number[] }
function lungFrame(label: number): LungFrame {
  const sum = [0, 0, 0]
  const sq = [0, 0, 0]
  let n = 0
  // Every second voxel per axis: 1/8 of the voxels is plenty for moments.
  for (let k = 0; k < nz; k += 2)
    for (let j = 0; j < ny; j += 2)
      for (let i = 0; i < nx; i += 2) {
        if (mask[i + j * nx + k * nx * ny] !== label) continue
        const p = [origin[0] + i * spacing[0], origin[1] + j * spacing[1], origin[2] + k * spacing[2]]
        for (let a = 0; a < 3; a++) {
          sum[a] += p[a]
          sq[a] += p[a] * p[a]
        }
        n++
      }
  const centroidMm = sum.map((s) => s / n)
  return { label, centroidMm, sdMm: sq.map((s, a) => Math.sqrt(s / n - centroidMm[a] ** 2)) }
}
// CIP labels the right lung 2 and the left lung 3; LPS +x is the patient's left, which confirms it.
const frames: Record<Side, LungFrame> = { right: lungFrame(2), left: lungFrame(3) }
if (frames.right.centroidMm[0] >= frames.left.centroidMm[0]) throw new Error('reference lung labels are not right = 2, left = 3')

/** The reference lung's footprint on the standardised (x, y) plane, on a 0.1 grid. */
function footprint(frame: LungFrame): Array<[number, number]> {
  const cells = new Set<string>()
  for (let k = 0; k < nz; k += 4)
    for (let j = 0; j < ny; j += 4)
      for (let i = 0; i < nx; i += 4) {
        if (mask[i + j * nx + k * nx * ny] !== frame.label) continue
        const x = (origin[0] + i * spacing[0] - frame.centroidMm[0]) / frame.sdMm[0]
        const y = (origin[1] + j * spacing[1] - frame.centroidMm[1]) / frame.sdMm[1]
        cells.add(`${Math.round(x * 10)},${Math.round(y * 10)}`)
      }
  return [...cells].map((c) => c.split(',').map((v) => Number(v) / 10) as [number, number])
}

// --- the cases' points in the reference frame ---
function inverse3(m: number[]): number[] {
  const [a, b, c, d, e, f, g, h, i] = m
  const A = e * i - f * h, B = -(d * i - f * g), C = d * h - e * g
  const det = a * A + b * B + c * C
  return [A, -(b * i - c * h), b * f - c * e, B, a * i - c * g, -(a * f - c * d), C, -(a * h - b * g), a * e - b * d].map((x) => x / det)
}
// Inspiratory cases only: the atlas also holds expiratory scans (_EXP_), whose lower lobes are
// smaller relative to the lungs; Pulmo reads supine inspiratory chest CT.
const cases = readdirSync(atlasDir)
  .filter((f) => f.endsWith('_regionAndTypePoints.csv') && f.includes('_INSP_'))
  .map((f) => f.replace('_regionAndTypePoints.csv', ''))
const pointsOf = new Map<FissureId, Array<Array<[number, number, number]>>>(FISSURES.map((f) => [f.id, []]))
let inside = 0
let total = 0
for (const id of cases) {
  const tfm = readFileSync(`${atlasDir}/${id}_TO_${reference}_transform.tfm`, 'utf8')
  const parameters = tfm.match(/^Parameters: (.*)$/m)![1].trim().split(/\s+/).map(Number)
  const centre = tfm.match(/^FixedParameters: (.*)$/m)![1].trim().split(/\s+/).map(Number)
  const matrixInverse = inverse3(parameters.slice(0, 9))
  const translation = parameters.slice(9, 12)
  const perFissure = new Map<FissureId, Array<[number, number, number]>>(FISSURES.map((f) => [f.id, []]))
  for (const line of readFileSync(`${atlasDir}/${id}_regionAndTypePoints.csv`, 'utf8').trim().split('\n').slice(1)) {
    const [region, type, ...xyz] = line.split(',')
    const side: Side = /right/i.test(region) ? 'right' : 'left'
    const fissure: FissureId = /horizontal/i.test(type) ? 'rightHorizontal' : side === 'right' ? 'rightOblique' : 'leftOblique'
    const p = xyz.map(Number)
    const d = [0, 1, 2].map((a) => p[a] - centre[a] - translation[a])
    const q = [0, 1, 2].map((a) => matrixInverse[a * 3] * d[0] + matrixInverse[a * 3 + 1] * d[1] + matrixInverse[a * 3 + 2] * d[2] + centre[a])
    const i = Math.round((q[0] - origin[0]) / spacing[0]), j = Math.round((q[1] - origin[1]) / spacing[1]), k = Math.round((q[2] - origin[2]) / spacing[2])
    total++
    if (i >= 0 && j >= 0 && k >= 0 && i < nx && j < ny && k < nz && mask[i + j * nx + k * nx * ny] > 0) inside++
    const frame = frames[side]
    perFissure.get(fissure)!.push([0, 1, 2].map((a) => (q[a] - frame.centroidMm[a]) / frame.sdMm[a]) as [number, number, number])
  }
  for (const [fissure, points] of perFissure) if (points.length >= 20) pointsOf.get(fissure)!.push(points)
}

function fitSurface(points: Array<[number, number, number]>, ridge: number): Float64Array {
  const ata = new Float64Array(BASIS_SIZE * BASIS_SIZE)
  const atb = new Float64Array(BASIS_SIZE)
  const basis = new Float64Array(BASIS_SIZE)
  for (const [x, y, z] of points) {
    surfaceBasis(x, y, basis)
    for (let r = 0; r < BASIS_SIZE; r++) {
      atb[r] += basis[r] * z
      for (let c = 0; c < BASIS_SIZE; c++) ata[r * BASIS_SIZE + c] += basis[r] * basis[c]
    }
  }
  for (let r = 1; r < BASIS_SIZE; r++) ata[r * BASIS_SIZE + r] += ridge * points.length
  return solveSymmetric(ata, atb, BASIS_SIZE)
}

/** Eigen-decomposition of a symmetric matrix by cyclic Jacobi rotations; eigenvalues descending. */
function symmetricEigen(input: Float64Array, n: number): { values: number[]; vectors: Float64Array[] } {
  const a = Float64Array.from(input)
  const v = new Float64Array(n * n)
  for (let i = 0; i < n; i++) v[i * n + i] = 1
  for (let sweep = 0; sweep < 60; sweep++) {
    let off = 0
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += a[p * n + q] ** 2
    if (off < 1e-18) break
    for (let p = 0; p < n; p++)
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q]
        if (Math.abs(apq) < 1e-20) continue
        const theta = (a[q * n + q] - a[p * n + p]) / (2 * apq)
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1))
        const c = 1 / Math.sqrt(t * t + 1)
        const s = t * c
        for (let k = 0; k < n; k++) {
          const akp = a[k * n + p], akq = a[k * n + q]
          a[k * n + p] = c * akp - s * akq
          a[k * n + q] = s * akp + c * akq
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p * n + k], aqk = a[q * n + k]
          a[p * n + k] = c * apk - s * aqk
          a[q * n + k] = s * apk + c * aqk
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p], vkq = v[k * n + q]
          v[k * n + p] = c * vkp - s * vkq
          v[k * n + q] = s * vkp + c * vkq
        }
      }
  }
  const order = [...Array(n).keys()].sort((x, y) => a[y * n + y] - a[x * n + x])
  return { values: order.map((i) => a[i * n + i]), vectors: order.map((i) => Float64Array.from({ length: n }, (_, k) => v[k * n + i])) }
}

const round = (x: number, digits = 5): number => Number(x.toFixed(digits))
const model = {
  source:
    'Chest Imaging Platform (Brigham and Women’s Hospital), Resources/LungLobeAtlasData: fissure points of 100 COPDGene CT cases and their affine transforms to reference case 10002K, and that case’s lung mask; BSD-style CIP licence, attribution required. Built by scripts/build-fissure-atlas.ts.',
  frame: 'standardised per lung: u = (p − centroidMm) / sdMm, p in LPS mm; each fissure is u.z = height(u.x, u.y), a cubic whose coefficients are mean + Σ b_k·modes[k], b_k ~ N(0, sd[k]²)',
  lungs: Object.fromEntries(Object.entries(frames).map(([side, f]) => [side, { centroidMm: f.centroidMm.map((x) => round(x, 2)), sdMm: f.sdMm.map((x) => round(x, 2)) }])),
  fissures: [] as Array<Record<string, unknown>>
}
console.log(`points inside the reference lungs after the inverse transforms: ${((100 * inside) / total).toFixed(1)} % of ${total}`)
for (const { id, lung } of FISSURES) {
  const sets = pointsOf.get(id)!
  const all = sets.flat()
  const range = (axis: 0 | 1): [number, number] => {
    const values = all.map((p) => p[axis]).sort((a, b) => a - b)
    return [values[Math.floor(values.length * 0.01)], values[Math.ceil(values.length * 0.99) - 1]]
  }
  const xRange = range(0)
  const yRange = range(1)
  const grid = footprint(frames[lung]).filter(([x, y]) => x >= xRange[0] && x <= xRange[1] && y >= yRange[0] && y <= yRange[1])
  const coefficients = sets.map((points) => fitSurface(points, 1e-2))
  let residual = 0
  sets.forEach((points, c) => points.forEach(([x, y, z]) => (residual += (surfaceHeight(coefficients[c], x, y) - z) ** 2)))
  const residualMm = Math.sqrt(residual / all.length) * frames[lung].sdMm[2]
  const mean = new Float64Array(BASIS_SIZE)
  for (const c of coefficients) for (let r = 0; r < BASIS_SIZE; r++) mean[r] += c[r] / coefficients.length
  const centred = coefficients.map((c) => c.map((v, r) => v - mean[r]))
  const heights = centred.map((c) => grid.map(([x, y]) => surfaceHeight(c, x, y)))
  const n = sets.length
  const gram = new Float64Array(n * n)
  for (let a = 0; a < n; a++) for (let b = 0; b < n; b++) gram[a * n + b] = heights[a].reduce((s, h, g) => s + h * heights[b][g], 0) / grid.length
  const { values, vectors } = symmetricEigen(gram, n)
  const totalVariance = values.reduce((s, v) => s + Math.max(v, 0), 0)
  const modes: number[][] = []
  const sd: number[] = []
  let explained = 0
  for (let k = 0; k < n && modes.length < 6 && explained < 0.9; k++) {
    if (values[k] <= 0) break
    // Coefficient mode = Σ_cases u_k · centred / √(n·λ_k)·… scaled so that b ~ N(0, sd²) with sd in height RMS.
    const mode = new Float64Array(BASIS_SIZE)
    for (let c = 0; c < n; c++) for (let r = 0; r < BASIS_SIZE; r++) mode[r] += vectors[k][c] * centred[c][r]
    const norm = Math.sqrt(values[k]) // RMS height (over the grid) of this unnormalised mode
    modes.push([...mode].map((v) => round(v / norm)))
    sd.push(round(Math.sqrt(values[k] / (n - 1))))
    explained += values[k] / totalVariance
  }
  console.log(`${id}: ${n} cases, ${all.length} points, per-case cubic residual ${residualMm.toFixed(1)} mm, ${modes.length} modes explain ${(100 * explained).toFixed(0)} % (sd ${sd.map((s) => (s * frames[lung].sdMm[2]).toFixed(1)).join(', ')} mm RMS height)`)
  model.fissures.push({ id, lung, cases: n, points: all.length, residualMm: round(residualMm, 2), xRange: xRange.map((v) => round(v, 3)), yRange: yRange.map((v) => round(v, 3)), mean: [...mean].map((v) => round(v)), modes, sd })
}
writeFileSync(resolve(root, 'src/main/regions/fissureAtlas.json'), JSON.stringify(model, null, 1) + '\n')
