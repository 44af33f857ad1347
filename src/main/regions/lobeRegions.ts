/**
 * The 20 CT-SS regions as subdivisions of the anatomical lobes (lobeSegmentation.ts). Segment
 * boundaries are not visible on CT without bronchus analysis, so within each lobe the regions are
 * still boxes in the lobe's own normalised coordinates (approximate for segments), but every region
 * now lies inside its lobe, so a lesion's lobe is its anatomical lobe.
 * Coordinates, per lobe: craniocaudal c from the lobe's own top slice (0) to its bottom slice (1);
 * anteroposterior a and mediolateral m per slice from the lobe's own extent in that slice.
 * Rules (half-open intervals):
 * - RUL: c < 1/3 apical (R1); below, a < 1/2 anterior (R3), else posterior (R2).
 * - RML: m ≥ 1/2 lateral (R4), else medial (R5).
 * - RLL and LLL: c < 1/3 superior segment (R6, L6); below, the basal segments by quadrant:
 *   anterior-medial = medial basal (R7, L8), anterior-lateral = anterior basal (R8, L7),
 *   posterior-lateral = lateral basal (R9, L9), posterior-medial = posterior basal (R10, L10).
 * - LUL: the upper division above the lobe's middle (c < 1/2): c < 1/4 apical (L1), then a ≥ 1/2
 *   posterior (L2) and a < 1/2 anterior (L3); the lingula below (c ≥ 1/2): superior (L4) above
 *   c = 3/4, inferior (L5) below.
 */
import { maskBoundingBox } from '../morphology/boundingBox'
import { axialOrientation, type VolumeGeometry } from '../volume/volumeGeometry'
import { LOBES, regionLabelOf, type LobeId, type RegionId, type RegionRule, type UnitInterval } from './regionRules'

type LobeRegionRule = Pick<RegionRule, 'id' | 'craniocaudal' | 'anteroposterior' | 'mediolateral'>

const ALL: UnitInterval = [0, 1]
const FRONT: UnitInterval = [0, 1 / 2]
const BACK: UnitInterval = [1 / 2, 1]
const MEDIAL: UnitInterval = [0, 1 / 2]
const LATERAL: UnitInterval = [1 / 2, 1]
const TOP_THIRD: UnitInterval = [0, 1 / 3]
const BELOW_TOP_THIRD: UnitInterval = [1 / 3, 1]

/**
 * Both lower lobes alike: the superior segment on top (its top third), then the basal segments by
 * quadrant (anteromedial, anterolateral, posterolateral, posteromedial).
 */
function lowerLobe(
  superior: RegionId,
  frontMedial: RegionId,
  frontLateral: RegionId,
  backLateral: RegionId,
  backMedial: RegionId
): LobeRegionRule[] {
  const basal = (id: RegionId, anteroposterior: UnitInterval, mediolateral: UnitInterval): LobeRegionRule => ({
    id,
    craniocaudal: BELOW_TOP_THIRD,
    anteroposterior,
    mediolateral
  })
  return [
    { id: superior, craniocaudal: TOP_THIRD, anteroposterior: ALL, mediolateral: ALL },
    basal(frontMedial, FRONT, MEDIAL),
    basal(frontLateral, FRONT, LATERAL),
    basal(backLateral, BACK, LATERAL),
    basal(backMedial, BACK, MEDIAL)
  ]
}

// prettier-ignore
export const LOBE_REGION_RULES: Readonly<Record<LobeId, readonly LobeRegionRule[]>> = {
  RUL: [
    { id: 'R1', craniocaudal: TOP_THIRD, anteroposterior: ALL, mediolateral: ALL },
    { id: 'R3', craniocaudal: BELOW_TOP_THIRD, anteroposterior: FRONT, mediolateral: ALL },
    { id: 'R2', craniocaudal: BELOW_TOP_THIRD, anteroposterior: BACK, mediolateral: ALL }
  ],
  RML: [
    { id: 'R4', craniocaudal: ALL, anteroposterior: ALL, mediolateral: LATERAL },
    { id: 'R5', craniocaudal: ALL, anteroposterior: ALL, mediolateral: MEDIAL }
  ],
  RLL: lowerLobe('R6', 'R7', 'R8', 'R9', 'R10'),
  LUL: [
    { id: 'L1', craniocaudal: [0, 1 / 4], anteroposterior: ALL, mediolateral: ALL },
    { id: 'L2', craniocaudal: [1 / 4, 1 / 2], anteroposterior: BACK, mediolateral: ALL },
    { id: 'L3', craniocaudal: [1 / 4, 1 / 2], anteroposterior: FRONT, mediolateral: ALL },
    { id: 'L4', craniocaudal: [1 / 2, 3 / 4], anteroposterior: ALL, mediolateral: ALL },
    { id: 'L5', craniocaudal: [3 / 4, 1], anteroposterior: ALL, mediolateral: ALL }
  ],
  LLL: lowerLobe('L6', 'L8', 'L7', 'L9', 'L10')
}

const within = (f: number, [from, to]: UnitInterval): boolean => f >= from && (f < to || (to === 1 && f <= 1))

/**
 * A region label map (0 outside the lungs, n for CTSS_REGION_RULES[n − 1]) from a lobe label map
 * (n for LOBES[n − 1]): every lobe voxel gets one of its lobe's regions.
 */
export function partitionLobeRegions(lobeLabels: Uint8Array, geometry: VolumeGeometry): Uint8Array {
  const o = axialOrientation(geometry.direction)
  const [nx, ny, nz] = geometry.dimensions
  const n = LOBES.length + 1
  // One pass for every lobe's per-slice bounds (index lobe·nz + k) and slice extent.
  const minI = new Int32Array(n * nz).fill(nx)
  const maxI = new Int32Array(n * nz).fill(-1)
  const minJ = new Int32Array(n * nz).fill(ny)
  const maxJ = new Int32Array(n * nz).fill(-1)
  const first = new Int32Array(n).fill(-1)
  const last = new Int32Array(n).fill(-1)
  const regions = new Uint8Array(lobeLabels.length)
  // Only the lobes' box is visited: outside it every voxel is 0.
  const box = maskBoundingBox(lobeLabels, geometry.dimensions)
  if (!box) return regions
  const [i0, j0, k0] = box.min
  const [i1, j1, k1] = box.max
  for (let k = k0; k <= k1; k++)
    for (let j = j0; j <= j1; j++)
      for (let i = i0, v = (k * ny + j) * nx + i0; i <= i1; i++, v++) {
        const l = lobeLabels[v]
        if (l === 0) continue
        const b = l * nz + k
        if (i < minI[b]) minI[b] = i
        if (i > maxI[b]) maxI[b] = i
        if (j < minJ[b]) minJ[b] = j
        if (j > maxJ[b]) maxJ[b] = j
        if (first[l] < 0) first[l] = k
        last[l] = k
      }
  const rules = LOBES.map((lobe) =>
    LOBE_REGION_RULES[lobe.id].map((rule) => ({ ...rule, value: regionLabelOf(rule.id) }))
  )
  // Lateral is toward the patient's right (−L) in the right lung, toward +L in the left.
  const lateralGrowsWithI = LOBES.map((lobe) => (lobe.lung === 'left' ? 1 : -1) * o.towardLeft > 0)
  // Per slice, each rule's test on each coordinate is tabulated once per lobe (c for the slice, a
  // per row, m per column), so a voxel costs table reads, not divisions and interval tests.
  const maxRules = Math.max(...rules.map((r) => r.length))
  const cOk = new Uint8Array(n * maxRules)
  const aOk = new Uint8Array(n * maxRules * ny)
  const mOk = new Uint8Array(n * maxRules * nx)
  for (let k = k0; k <= k1; k++) {
    for (let l = 1; l < n; l++) {
      const b = l * nz + k
      if (maxI[b] < 0) continue
      const slices = last[l] - first[l] + 1
      const c = o.towardSuperior === 1 ? (last[l] - k + 0.5) / slices : (k - first[l] + 0.5) / slices
      const rows = maxJ[b] - minJ[b] + 1
      const columns = maxI[b] - minI[b] + 1
      for (const [r, rule] of rules[l - 1].entries()) {
        const t = l * maxRules + r
        cOk[t] = within(c, rule.craniocaudal) ? 1 : 0
        for (let j = minJ[b]; j <= maxJ[b]; j++) {
          const a = o.towardPosterior === 1 ? (j - minJ[b] + 0.5) / rows : (maxJ[b] - j + 0.5) / rows
          aOk[t * ny + j] = within(a, rule.anteroposterior) ? 1 : 0
        }
        for (let i = minI[b]; i <= maxI[b]; i++) {
          const m = lateralGrowsWithI[l - 1] ? (i - minI[b] + 0.5) / columns : (maxI[b] - i + 0.5) / columns
          mOk[t * nx + i] = within(m, rule.mediolateral) ? 1 : 0
        }
      }
    }
    for (let j = j0; j <= j1; j++)
      for (let i = i0, v = (k * ny + j) * nx + i0; i <= i1; i++, v++) {
        const l = lobeLabels[v]
        if (l === 0) continue
        const lobeRules = rules[l - 1]
        for (let r = 0; r < lobeRules.length; r++) {
          const t = l * maxRules + r
          if (cOk[t] === 1 && aOk[t * ny + j] === 1 && mOk[t * nx + i] === 1) {
            regions[v] = lobeRules[r].value
            break
          }
        }
      }
  }
  return regions
}
