import {
  PHANTOM_CARINA_MM,
  PHANTOM_STRUCTURE,
  type ChestPhantom,
  type SphericalLesion,
  type Vector3
} from './phantom'

/** World (LPS mm) position of a voxel of the phantom. */
export function worldOf(phantom: ChestPhantom, v: number): Vector3 {
  const { dimensions, origin, direction, spacing } = phantom.volume
  const [nx, ny] = dimensions
  const index = [v % nx, Math.floor(v / nx) % ny, Math.floor(v / (nx * ny))]
  return [0, 1, 2].map((a) => origin[a] + direction[a * 3 + a] * index[a] * spacing[a]) as Vector3
}

/** The voxel index nearest to a world position. */
export function voxelAt(phantom: ChestPhantom, world: Vector3): number {
  const { dimensions, origin, direction, spacing } = phantom.volume
  const index = [0, 1, 2].map((a) => Math.round((world[a] - origin[a]) / (direction[a * 3 + a] * spacing[a])))
  return index[0] + index[1] * dimensions[0] + index[2] * dimensions[0] * dimensions[1]
}

/** The phantom's true lungs as a lung label map (1 right, 2 left). */
export function truthLungLabels(phantom: ChestPhantom): Uint8Array {
  const labels = new Uint8Array(phantom.structure.length)
  for (let v = 0; v < labels.length; v++) {
    if (phantom.structure[v] === PHANTOM_STRUCTURE.rightLung) labels[v] = 1
    else if (phantom.structure[v] === PHANTOM_STRUCTURE.leftLung) labels[v] = 2
  }
  return labels
}

/** Voxel indices of the trachea above the carina. */
export function tracheaVoxels(phantom: ChestPhantom): number[] {
  const voxels: number[] = []
  for (let v = 0; v < phantom.structure.length; v++) {
    if (phantom.structure[v] === PHANTOM_STRUCTURE.airway && worldOf(phantom, v)[2] > PHANTOM_CARINA_MM[2]) {
      voxels.push(v)
    }
  }
  return voxels
}

export function voxelsOf(structure: Uint8Array, part: number): number[] {
  const voxels: number[] = []
  for (let v = 0; v < structure.length; v++) if (structure[v] === part) voxels.push(v)
  return voxels
}

export function maskOf(labels: Uint8Array, value: number): Uint8Array {
  const mask = new Uint8Array(labels.length)
  for (let v = 0; v < labels.length; v++) mask[v] = labels[v] === value ? 1 : 0
  return mask
}

/** The lesions the tests put into the phantom, each wholly inside one CT-SS region. */
export const TEST_LESIONS: { consolidation: SphericalLesion; groundGlass: SphericalLesion } = {
  /** right lower lobe, lateral basal region (R9): lower third, posterior, lateral */
  consolidation: { kind: 'consolidation', centreMm: [-80, 30, -70], radiusMm: 14 },
  /** left upper lobe, anterior region (L3): upper third below the apex, anterior */
  groundGlass: { kind: 'ground-glass', centreMm: [65, -30, 60], radiusMm: 10 }
}
