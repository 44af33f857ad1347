/**
 * Synthetic infection patterns painted on a real scan's lung mask (normal002's), so that each rule
 * of the CT pattern category can be told apart without running a model: lesions are spheres clipped
 * to the lung, placed by the lung's own geometry (lateral edge, medial edge, height).
 */
import { LEFT_LUNG_LABEL, RIGHT_LUNG_LABEL } from '../../src/main/lungs/lungSeparation'
import { lobeLabelMap, lobeLabelOf, partitionLungRegions } from '../../src/main/regions/regions'
import type { VolumeGeometry } from '../../src/main/volume/volumeGeometry'
import { INFECTION_LABEL } from '../../src/main/scores/scores'

export interface PatternCase {
  name: string
  /** what a radiologist would call it, per the RSNA and CO-RADS definitions */
  expected: { rsna: string; coRads: number }
  infectionLabels: Uint8Array
}

interface Scan {
  geometry: VolumeGeometry
  lungLabels: Uint8Array
}

type Side = typeof RIGHT_LUNG_LABEL | typeof LEFT_LUNG_LABEL

/** The slices holding lung, lowest index first. */
function lungSlices(scan: Scan): number[] {
  const [nx, ny, nz] = scan.geometry.dimensions
  const out: number[] = []
  for (let k = 0; k < nz; k++) if (scan.lungLabels.subarray(k * nx * ny, (k + 1) * nx * ny).some((v) => v !== 0)) out.push(k)
  return out
}

/** Mean column i of a lung in slice k. */
function centroidI(scan: Scan, k: number, side: Side): number {
  const [nx, ny] = scan.geometry.dimensions
  let sum = 0
  let n = 0
  for (let j = 0; j < ny; j++) {
    for (let i = 0; i < nx; i++) {
      if (scan.lungLabels[k * nx * ny + j * nx + i] !== side) continue
      sum += i
      n++
    }
  }
  return n === 0 ? NaN : sum / n
}

/**
 * A point inside lung `side` on slice k at the lung's middle row (by its extent), `depthMm` in from
 * its lateral (costal) edge, or from its medial edge when `medial`.
 */
function placeInLung(scan: Scan, k: number, side: Side, depthMm: number, medial: boolean): [number, number, number] {
  const [nx, ny] = scan.geometry.dimensions
  const other: Side = side === RIGHT_LUNG_LABEL ? LEFT_LUNG_LABEL : RIGHT_LUNG_LABEL
  const lateralIsLow = centroidI(scan, k, side) < centroidI(scan, k, other)
  let minJ = ny
  let maxJ = -1
  for (let j = 0; j < ny; j++) {
    for (let i = 0; i < nx; i++) {
      if (scan.lungLabels[k * nx * ny + j * nx + i] !== side) continue
      minJ = Math.min(minJ, j)
      maxJ = Math.max(maxJ, j)
    }
  }
  const j = Math.round((minJ + maxJ) / 2)
  const row = k * nx * ny + j * nx
  const columns: number[] = []
  for (let i = 0; i < nx; i++) if (scan.lungLabels[row + i] === side) columns.push(i)
  if (columns.length === 0) throw new Error(`no lung ${side} on slice ${k} row ${j}`)
  const fromLowSide = lateralIsLow !== medial
  const edge = fromLowSide ? columns[0] : columns[columns.length - 1]
  const inward = fromLowSide ? 1 : -1
  return [Math.round(edge + (inward * depthMm) / scan.geometry.spacing[0]), j, k]
}

/** Paints a sphere (radius mm) of `label`, clipped to lung `side`. */
function paintSphere(scan: Scan, labels: Uint8Array, centre: [number, number, number], radiusMm: number, side: Side, label: number): void {
  const [nx, ny, nz] = scan.geometry.dimensions
  const [sx, sy, sz] = scan.geometry.spacing
  const [ci, cj, ck] = centre
  const [ri, rj, rk] = [Math.ceil(radiusMm / sx), Math.ceil(radiusMm / sy), Math.ceil(radiusMm / sz)]
  for (let k = Math.max(0, ck - rk); k <= Math.min(nz - 1, ck + rk); k++) {
    for (let j = Math.max(0, cj - rj); j <= Math.min(ny - 1, cj + rj); j++) {
      for (let i = Math.max(0, ci - ri); i <= Math.min(nx - 1, ci + ri); i++) {
        const d2 = ((i - ci) * sx) ** 2 + ((j - cj) * sy) ** 2 + ((k - ck) * sz) ** 2
        const v = k * nx * ny + j * nx + i
        if (d2 <= radiusMm * radiusMm && scan.lungLabels[v] === side) labels[v] = label
      }
    }
  }
}

/** The slice `fraction` of the way up the lungs' slices from the lowest index (which end is caudal is the scan's). */
function sliceAt(slices: number[], fraction: number): number {
  return slices[Math.min(slices.length - 1, Math.floor(fraction * slices.length))]
}

/**
 * The cases, each on a copy of `base` (the scan's own labels: normal002's few false-positive specks
 * stay, as they would in a real scan). `caudalIsLowIndex`: slice 0 is the most caudal.
 */
export function patternCases(scan: Scan, base: Uint8Array, caudalIsLowIndex: boolean): PatternCase[] {
  const slices = lungSlices(scan)
  const fromBase = (f: number): number => sliceAt(slices, caudalIsLowIndex ? f : 1 - f)
  const R = RIGHT_LUNG_LABEL
  const L = LEFT_LUNG_LABEL
  const GGO = INFECTION_LABEL.groundGlass
  const CONS = INFECTION_LABEL.consolidation
  const withSpheres = (spheres: Array<{ side: Side; at: number; depthMm: number; medial?: boolean; radiusMm: number; label: number }>): Uint8Array => {
    const labels = Uint8Array.from(base)
    for (const s of spheres) paintSphere(scan, labels, placeInLung(scan, fromBase(s.at), s.side, s.depthMm, s.medial ?? false), s.radiusMm, s.side, s.label)
    return labels
  }
  const peripheral = { depthMm: 8, radiusMm: 12 }

  // Lobar consolidation: the lower half of the right lower lobe, consolidated throughout.
  const lobes = lobeLabelMap(partitionLungRegions(scan.lungLabels, scan.geometry))
  const rll = lobeLabelOf('RLL')
  const lobar = Uint8Array.from(base)
  const lowerHalf = new Set(slices.filter((k) => (caudalIsLowIndex ? k <= fromBase(0.3) : k >= fromBase(0.3))))
  const sliceSize = scan.geometry.dimensions[0] * scan.geometry.dimensions[1]
  for (let v = 0; v < lobes.length; v++) if (lobes[v] === rll && lowerHalf.has(Math.floor(v / sliceSize))) lobar[v] = CONS

  return [
    { name: 'lobar consolidation (lower RLL)', expected: { rsna: 'atypical', coRads: 2 }, infectionLabels: lobar },
    {
      name: 'bilateral peripheral lower ground glass',
      expected: { rsna: 'typical', coRads: 5 },
      infectionLabels: withSpheres([
        { side: R, at: 0.2, ...peripheral, label: GGO },
        { side: R, at: 0.45, ...peripheral, label: GGO },
        { side: L, at: 0.2, ...peripheral, label: GGO },
        { side: L, at: 0.4, ...peripheral, label: GGO }
      ])
    },
    {
      name: 'unilateral peripheral ground glass (right)',
      expected: { rsna: 'indeterminate', coRads: 4 },
      infectionLabels: withSpheres([
        { side: R, at: 0.2, ...peripheral, label: GGO },
        { side: R, at: 0.45, ...peripheral, label: GGO },
        { side: R, at: 0.7, ...peripheral, label: GGO }
      ])
    },
    {
      name: 'bilateral perihilar ground glass',
      expected: { rsna: 'indeterminate', coRads: 3 },
      infectionLabels: withSpheres([
        { side: R, at: 0.5, depthMm: 12, medial: true, radiusMm: 12, label: GGO },
        { side: L, at: 0.5, depthMm: 12, medial: true, radiusMm: 12, label: GGO }
      ])
    },
    {
      name: 'bilateral multifocal peripheral consolidation',
      expected: { rsna: 'indeterminate', coRads: 4 },
      infectionLabels: withSpheres([
        { side: R, at: 0.25, ...peripheral, label: CONS },
        { side: R, at: 0.55, ...peripheral, label: CONS },
        { side: L, at: 0.25, ...peripheral, label: CONS },
        { side: L, at: 0.55, ...peripheral, label: CONS }
      ])
    }
  ]
}
