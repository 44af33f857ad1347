import { LEFT_LUNG_LABEL, RIGHT_LUNG_LABEL } from '../lungs/lungSeparation'
import { CTSS_REGION_RULES, LOBES, type LungSide, type RegionRule, type UnitInterval } from './regionRules'
import { axialOrientation, type VolumeGeometry } from '../volume/volumeGeometry'

export * from './regionRules'
export { anatomicalRegions, type AnatomicalRegions } from './anatomicalRegions'
export { partitionLobeRegions, LOBE_REGION_RULES } from './lobeRegions'
export { segmentLobes, type LobeSegmentation, type FittedFissure } from './lobeSegmentation'

/**
 * The geometric partition (kept for comparison and for grids without a CT, such as the phantom):
 * divides each lung of a lung label map (0 background, 1 right, 2 left) into the 20 CT-SS regions
 * by the rule table of regionRules.ts. An analysed CT uses anatomicalRegions instead (the lobes from
 * the fissures, the regions within them). Returns a region label map: 0 outside the lungs, n for
 * CTSS_REGION_RULES[n − 1]. Every lung voxel gets a region.
 * Fractions are taken at voxel centres ((index − first + ½) / count), so they lie strictly
 * inside (0, 1) and a symmetric lung splits into equal halves.
 */
export function partitionLungRegions(lungLabels: Uint8Array, geometry: VolumeGeometry): Uint8Array {
  const orientation = axialOrientation(geometry.direction)
  const [nx, ny, nz] = geometry.dimensions
  const regions = new Uint8Array(lungLabels.length)
  const lungs: Array<{ label: number; side: LungSide }> = [
    { label: RIGHT_LUNG_LABEL, side: 'right' },
    { label: LEFT_LUNG_LABEL, side: 'left' }
  ]
  for (const { label, side } of lungs) {
    const extent = sliceExtents(lungLabels, nx, ny, nz, label)
    if (extent.firstSlice < 0) continue
    const rules = CTSS_REGION_RULES.map((rule, index) => ({ rule, value: index + 1 })).filter(
      ({ rule }) => rule.lung === side
    )
    const slices = extent.lastSlice - extent.firstSlice + 1
    // The lateral side of the right lung is the patient's right, i.e. toward −L.
    const lateralTowardGrowingI = (side === 'left' ? 1 : -1) * orientation.towardLeft > 0
    for (let k = extent.firstSlice; k <= extent.lastSlice; k++) {
      const minI = extent.minI[k]
      if (minI < 0) continue
      const { maxI } = extent
      const minJ = extent.minJ[k]
      const maxJ = extent.maxJ[k]
      const craniocaudal =
        orientation.towardSuperior === 1
          ? (extent.lastSlice - k + 0.5) / slices
          : (k - extent.firstSlice + 0.5) / slices
      const sliceRules = rules.filter(({ rule }) => within(craniocaudal, rule.craniocaudal))
      const rows = maxJ - minJ + 1
      const columns = maxI[k] - minI + 1
      for (let j = minJ; j <= maxJ; j++) {
        const anteroposterior = orientation.towardPosterior === 1 ? (j - minJ + 0.5) / rows : (maxJ - j + 0.5) / rows
        const rowRules = sliceRules.filter(({ rule }) => within(anteroposterior, rule.anteroposterior))
        const row = k * nx * ny + j * nx
        for (let i = minI; i <= maxI[k]; i++) {
          if (lungLabels[row + i] !== label) continue
          const mediolateral = lateralTowardGrowingI ? (i - minI + 0.5) / columns : (maxI[k] - i + 0.5) / columns
          regions[row + i] = regionValue(rowRules, mediolateral)
        }
      }
    }
  }
  return regions
}

function within(fraction: number, interval: UnitInterval): boolean {
  return fraction >= interval[0] && fraction < interval[1]
}

function regionValue(rules: ReadonlyArray<{ rule: RegionRule; value: number }>, mediolateral: number): number {
  for (const { rule, value } of rules) if (within(mediolateral, rule.mediolateral)) return value
  return 0
}

interface SliceExtents {
  firstSlice: number
  lastSlice: number
  /** per slice k: the lung's i and j bounds; minI[k] is −1 where the slice holds none of it */
  minI: Int32Array
  maxI: Int32Array
  minJ: Int32Array
  maxJ: Int32Array
}

function sliceExtents(labels: Uint8Array, nx: number, ny: number, nz: number, label: number): SliceExtents {
  const minI = new Int32Array(nz).fill(-1)
  const maxI = new Int32Array(nz).fill(-1)
  const minJ = new Int32Array(nz).fill(-1)
  const maxJ = new Int32Array(nz).fill(-1)
  let firstSlice = -1
  let lastSlice = -1
  let v = 0
  for (let k = 0; k < nz; k++) {
    for (let j = 0; j < ny; j++) {
      for (let i = 0; i < nx; i++, v++) {
        if (labels[v] !== label) continue
        if (minI[k] < 0) {
          minI[k] = i
          maxI[k] = i
          minJ[k] = j
        }
        if (i < minI[k]) minI[k] = i
        if (i > maxI[k]) maxI[k] = i
        maxJ[k] = j
        if (firstSlice < 0) firstSlice = k
        lastSlice = k
      }
    }
  }
  return { firstSlice, lastSlice, minI, maxI, minJ, maxJ }
}

/** The lobe label map of a region label map: 0 outside the lungs, n for LOBES[n − 1]. */
export function lobeLabelMap(regionLabels: Uint8Array): Uint8Array {
  const lobeOfRegion = new Uint8Array(CTSS_REGION_RULES.length + 1)
  CTSS_REGION_RULES.forEach((rule, index) => {
    lobeOfRegion[index + 1] = LOBES.findIndex((lobe) => lobe.id === rule.lobe) + 1
  })
  const lobes = new Uint8Array(regionLabels.length)
  for (let v = 0; v < regionLabels.length; v++) lobes[v] = lobeOfRegion[regionLabels[v]]
  return lobes
}
