import type { Volume } from '../../src/main/volume/volume'
import { voxelVolumeMm3 } from '../../src/main/volume/volumeGeometry'

/**
 * A synthetic chest CT in HU with known anatomy, for tests and demos of the severity pipeline.
 * World coordinates are LPS millimetres with the volume's centre at (0, 0, 0): x toward the
 * patient's left, y toward the back, z toward the head.
 * - body: an elliptic cylinder of soft tissue (40 HU) in air (−1000 HU);
 * - lungs: two ellipsoids of aerated lung (−850 HU) whose medial surfaces touch at the midline
 *   over a small patch near mid-height, as lungs do at the anterior junction line;
 * - trachea: an air tube from the top of the volume down to the carina, where it branches into two
 *   main bronchi that open into the lungs' medial surfaces;
 * - vessels: vertical soft-tissue cylinders inside the lungs (must end up inside the lung mask);
 * - bowel gas: an air bubble below the left lung (must not).
 * Lesions are added afterwards with insertLesion, which returns their exact voxels.
 */
export interface ChestPhantomOptions {
  dimensions: [number, number, number]
  spacing: [number, number, number]
  /** −1 flips a voxel axis (its direction cosine becomes −1), to exercise orientation handling */
  axisSigns: [1 | -1, 1 | -1, 1 | -1]
  /** standard deviation of added Gaussian noise, HU (0: none) */
  noiseHu: number
  noiseSeed: number
  vessels: boolean
  bowelGas: boolean
}

export const DEFAULT_CHEST_PHANTOM: ChestPhantomOptions = {
  dimensions: [512, 512, 130],
  spacing: [0.7, 0.7, 2.5],
  axisSigns: [1, 1, 1],
  noiseHu: 0,
  noiseSeed: 1,
  vessels: true,
  bowelGas: true
}

export const PHANTOM_HU = {
  air: -1000,
  softTissue: 40,
  lung: -850,
  groundGlass: -500,
  consolidation: 20
} as const

/** What each voxel of the phantom is; vessels, bronchi inside a lung and lesions count as lung. */
export const PHANTOM_STRUCTURE = {
  outsideAir: 0,
  body: 1,
  rightLung: 2,
  leftLung: 3,
  airway: 4,
  bowelGas: 5
} as const

export type Vector3 = [number, number, number]

export interface Ellipsoid {
  centreMm: Vector3
  semiAxesMm: Vector3
}

export const PHANTOM_BODY_SEMI_AXES_MM: [number, number] = [160, 110]
export const PHANTOM_RIGHT_LUNG: Ellipsoid = { centreMm: [-60, 0, 0], semiAxesMm: [60, 80, 120] }
export const PHANTOM_LEFT_LUNG: Ellipsoid = { centreMm: [58, 0, -3], semiAxesMm: [58, 78, 115] }
export const PHANTOM_CARINA_MM: Vector3 = [0, -10, 75]
const TRACHEA_RADIUS_MM = 8
const BRONCHI: ReadonlyArray<{ end: Vector3; radiusMm: number }> = [
  { end: [-17, -10, 58], radiusMm: 6 },
  { end: [19, -10, 56], radiusMm: 5.5 }
]
const AIRWAY_LOWEST_Z_MM = Math.min(...BRONCHI.map((b) => b.end[2] - b.radiusMm))
const AIRWAY_HALF_EXTENT_MM = Math.max(TRACHEA_RADIUS_MM, ...BRONCHI.map((b) => Math.abs(b.end[0]) + b.radiusMm))
const VESSELS: ReadonlyArray<{ x: number; y: number }> = [
  { x: -80, y: -25 },
  { x: -45, y: 30 },
  { x: 75, y: -20 },
  { x: 45, y: 35 }
]
const VESSEL_RADIUS_MM = 3
const VESSEL_HALF_LENGTH_MM = 45
const BOWEL_GAS: { centreMm: Vector3; radiusMm: number } = { centreMm: [45, 10, -140], radiusMm: 14 }

export interface ChestPhantom {
  volume: Volume
  /** per voxel, PHANTOM_STRUCTURE: the truth the tests compare against */
  structure: Uint8Array
  rightLung: Ellipsoid
  leftLung: Ellipsoid
  /** analytic ellipsoid volumes, mL */
  rightLungVolumeMl: number
  leftLungVolumeMl: number
}

export function ellipsoidVolumeMl(e: Ellipsoid): number {
  return ((4 / 3) * Math.PI * e.semiAxesMm[0] * e.semiAxesMm[1] * e.semiAxesMm[2]) / 1000
}

export function createChestPhantom(options: Partial<ChestPhantomOptions> = {}): ChestPhantom {
  const settings = { ...DEFAULT_CHEST_PHANTOM, ...options }
  const { dimensions, spacing, axisSigns } = settings
  const [nx, ny, nz] = dimensions
  const origin = dimensions.map((n, a) => -axisSigns[a] * ((n - 1) / 2) * spacing[a]) as Vector3
  const direction = [axisSigns[0], 0, 0, 0, axisSigns[1], 0, 0, 0, axisSigns[2]]
  const data = new Int16Array(nx * ny * nz)
  const structure = new Uint8Array(data.length)
  const world = (axis: number, index: number): number => origin[axis] + axisSigns[axis] * index * spacing[axis]

  let v = 0
  for (let k = 0; k < nz; k++) {
    const z = world(2, k)
    for (let j = 0; j < ny; j++) {
      const y = world(1, j)
      // Per row, each structure is an x-interval (or none): the voxel loop only compares numbers.
      const body = ellipseHalfWidth(y, PHANTOM_BODY_SEMI_AXES_MM[0], PHANTOM_BODY_SEMI_AXES_MM[1])
      const right = lungRow(PHANTOM_RIGHT_LUNG, y, z)
      const left = lungRow(PHANTOM_LEFT_LUNG, y, z)
      const rowMayHoldAirway = z > AIRWAY_LOWEST_Z_MM
      for (let i = 0; i < nx; i++, v++) {
        const x = world(0, i)
        let part: number = PHANTOM_STRUCTURE.body
        if (Math.abs(x) > body) part = PHANTOM_STRUCTURE.outsideAir
        else if (x >= right[0] && x <= right[1]) part = PHANTOM_STRUCTURE.rightLung
        else if (x >= left[0] && x <= left[1]) part = PHANTOM_STRUCTURE.leftLung
        else if (rowMayHoldAirway && insideAirway(x, y, z)) part = PHANTOM_STRUCTURE.airway
        else if (settings.bowelGas && insideBowelGas(x, y, z)) part = PHANTOM_STRUCTURE.bowelGas
        structure[v] = part
        data[v] = huAt(part, x, y, z, settings)
      }
    }
  }
  if (settings.noiseHu > 0) addGaussianNoise(data, settings.noiseHu, settings.noiseSeed)

  return {
    volume: { data, dimensions: [nx, ny, nz], spacing: [...spacing], origin, direction, modality: 'CT', unit: 'HU' },
    structure,
    rightLung: PHANTOM_RIGHT_LUNG,
    leftLung: PHANTOM_LEFT_LUNG,
    rightLungVolumeMl: ellipsoidVolumeMl(PHANTOM_RIGHT_LUNG),
    leftLungVolumeMl: ellipsoidVolumeMl(PHANTOM_LEFT_LUNG)
  }
}

/** Half-width at y of the ellipse with semi-axes a (x) and b (y), or −1 beyond it. */
function ellipseHalfWidth(y: number, a: number, b: number): number {
  const rest = 1 - (y / b) ** 2
  return rest < 0 ? -1 : a * Math.sqrt(rest)
}

/** The x-interval of an ellipsoid on the row (y, z); an empty interval [1, 0] when it misses. */
function lungRow(e: Ellipsoid, y: number, z: number): [number, number] {
  const rest = 1 - ((y - e.centreMm[1]) / e.semiAxesMm[1]) ** 2 - ((z - e.centreMm[2]) / e.semiAxesMm[2]) ** 2
  if (rest < 0) return [1, 0]
  const half = e.semiAxesMm[0] * Math.sqrt(rest)
  return [e.centreMm[0] - half, e.centreMm[0] + half]
}

function insideBowelGas(x: number, y: number, z: number): boolean {
  const [gx, gy, gz] = BOWEL_GAS.centreMm
  return (x - gx) ** 2 + (y - gy) ** 2 + (z - gz) ** 2 <= BOWEL_GAS.radiusMm ** 2
}

function huAt(structure: number, x: number, y: number, z: number, settings: ChestPhantomOptions): number {
  if (structure === PHANTOM_STRUCTURE.body) return PHANTOM_HU.softTissue
  if (structure !== PHANTOM_STRUCTURE.rightLung && structure !== PHANTOM_STRUCTURE.leftLung) return PHANTOM_HU.air
  // The bronchi run on into the lungs: their lumen is air there too.
  if (z > AIRWAY_LOWEST_Z_MM && insideAirway(x, y, z)) return PHANTOM_HU.air
  if (settings.vessels && Math.abs(z) <= VESSEL_HALF_LENGTH_MM) {
    for (const c of VESSELS) {
      if ((x - c.x) ** 2 + (y - c.y) ** 2 <= VESSEL_RADIUS_MM ** 2) return PHANTOM_HU.softTissue
    }
  }
  return PHANTOM_HU.lung
}

function insideAirway(x: number, y: number, z: number): boolean {
  if (Math.abs(x) > AIRWAY_HALF_EXTENT_MM) return false
  const [cx, cy, cz] = PHANTOM_CARINA_MM
  if (z >= cz && (x - cx) ** 2 + (y - cy) ** 2 <= TRACHEA_RADIUS_MM ** 2) return true
  for (const bronchus of BRONCHI) {
    if (distanceToSegmentSquared(x, y, z, PHANTOM_CARINA_MM, bronchus.end) <= bronchus.radiusMm ** 2) return true
  }
  return false
}

function distanceSquared(a: Vector3, b: Vector3): number {
  return (a[0] - b[0]) ** 2 + (a[1] - b[1]) ** 2 + (a[2] - b[2]) ** 2
}

function distanceToSegmentSquared(x: number, y: number, z: number, a: Vector3, b: Vector3): number {
  const abx = b[0] - a[0]
  const aby = b[1] - a[1]
  const abz = b[2] - a[2]
  const along = ((x - a[0]) * abx + (y - a[1]) * aby + (z - a[2]) * abz) / (abx * abx + aby * aby + abz * abz)
  const t = Math.min(1, Math.max(0, along))
  return (x - a[0] - t * abx) ** 2 + (y - a[1] - t * aby) ** 2 + (z - a[2] - t * abz) ** 2
}

/** Seeded (mulberry32) so a noisy phantom is the same in every run. */
function addGaussianNoise(data: Int16Array, sigma: number, seed: number): void {
  let state = seed >>> 0
  const uniform = (): number => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return (((t ^ (t >>> 14)) >>> 0) + 0.5) / 4294967296
  }
  for (let v = 0; v < data.length; v++) {
    const gaussian = Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform())
    data[v] = Math.max(-1024, Math.min(3071, Math.round(data[v] + sigma * gaussian)))
  }
}

export type LesionKind = 'ground-glass' | 'consolidation'

export interface SphericalLesion {
  kind: LesionKind
  centreMm: Vector3
  radiusMm: number
}

export interface InsertedLesion extends SphericalLesion {
  lung: 'right' | 'left'
  /** the voxels whose centre lies in the sphere */
  voxelIndices: Int32Array
  /** voxel count × voxel volume */
  voxelVolumeMl: number
  /** 4/3·π·r³ */
  analyticVolumeMl: number
}

/** Infection label of each lesion kind, as the infection label map uses them. */
export const LESION_LABEL: Record<LesionKind, number> = { 'ground-glass': 1, consolidation: 2 }

/**
 * Writes a spherical lesion into the phantom (−500 HU ground glass or +20 HU consolidation).
 * The sphere must lie wholly inside one lung, so that its truth is unambiguous.
 */
export function insertLesion(phantom: ChestPhantom, lesion: SphericalLesion): InsertedLesion {
  const { volume, structure } = phantom
  const [nx, ny, nz] = volume.dimensions
  const range = [0, 1, 2].map((a) => {
    const toIndex = (mm: number): number => (mm - volume.origin[a]) / (volume.direction[a * 3 + a] * volume.spacing[a])
    const ends = [toIndex(lesion.centreMm[a] - lesion.radiusMm), toIndex(lesion.centreMm[a] + lesion.radiusMm)]
    return [
      Math.max(0, Math.floor(Math.min(...ends))),
      Math.min(volume.dimensions[a] - 1, Math.ceil(Math.max(...ends)))
    ]
  })
  const hu = lesion.kind === 'ground-glass' ? PHANTOM_HU.groundGlass : PHANTOM_HU.consolidation
  const indices: number[] = []
  let lungPart: number | undefined
  for (let k = range[2][0]; k <= range[2][1]; k++) {
    for (let j = range[1][0]; j <= range[1][1]; j++) {
      for (let i = range[0][0]; i <= range[0][1]; i++) {
        const p: Vector3 = [0, 1, 2].map(
          (a) => volume.origin[a] + volume.direction[a * 3 + a] * [i, j, k][a] * volume.spacing[a]
        ) as Vector3
        if (distanceSquared(p, lesion.centreMm) > lesion.radiusMm ** 2) continue
        const v = i + j * nx + k * nx * ny
        const part = structure[v]
        if (part !== PHANTOM_STRUCTURE.rightLung && part !== PHANTOM_STRUCTURE.leftLung) {
          throw new Error(`lesion at [${lesion.centreMm.join(', ')}] reaches outside the lungs`)
        }
        if (lungPart !== undefined && part !== lungPart) throw new Error('lesion spans both lungs')
        lungPart = part
        indices.push(v)
      }
    }
  }
  if (lungPart === undefined || nz === 0) throw new Error('lesion holds no voxel')
  for (const v of indices) volume.data[v] = hu
  return {
    ...lesion,
    lung: lungPart === PHANTOM_STRUCTURE.rightLung ? 'right' : 'left',
    voxelIndices: Int32Array.from(indices),
    voxelVolumeMl: (indices.length * voxelVolumeMm3(volume.spacing)) / 1000,
    analyticVolumeMl: ((4 / 3) * Math.PI * lesion.radiusMm ** 3) / 1000
  }
}

/** The infection label map of the lesions: 0 none, 1 ground glass, 2 consolidation. */
export function lesionLabelMap(phantom: ChestPhantom, lesions: readonly InsertedLesion[]): Uint8Array {
  const labels = new Uint8Array(phantom.volume.data.length)
  for (const lesion of lesions) {
    for (const v of lesion.voxelIndices) labels[v] = LESION_LABEL[lesion.kind]
  }
  return labels
}
