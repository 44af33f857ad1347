/**
 * Window/level display of CT values. The grey level follows the DICOM linear VOI function
 * (PS3.3 C.11.2.1.2.1), so a pixel can be checked against the standard:
 *   x <= c − 0.5 − (w − 1)/2  → 0
 *   x >  c − 0.5 + (w − 1)/2  → 255
 *   otherwise                 → round(((x − (c − 0.5)) / (w − 1) + 0.5) · 255)
 * Rendering goes through a lookup table indexed by the stored value, so a 512×512 slice costs one
 * table read per pixel however often the window changes.
 */

export interface WindowLevel {
  /** Window centre (level) in the volume's unit. */
  center: number
  /** Window width in the volume's unit, at least 1. */
  width: number
}

export interface WindowPreset extends WindowLevel {
  id: 'lung' | 'mediastinum'
  label: string
}

export const windowPresets: readonly WindowPreset[] = [
  { id: 'lung', label: 'Lung', center: -600, width: 1500 },
  { id: 'mediastinum', label: 'Mediastinum', center: 40, width: 400 }
]

export function windowPreset(id: WindowPreset['id']): WindowPreset {
  const preset = windowPresets.find((candidate) => candidate.id === id)
  if (!preset) throw new Error(`Unknown window preset ${id}`)
  return preset
}

export function greyLevel(value: number, { center, width }: WindowLevel): number {
  const w = Math.max(1, width)
  if (w === 1) return value < center ? 0 : 255
  const low = center - 0.5 - (w - 1) / 2
  const high = center - 0.5 + (w - 1) / 2
  if (value <= low) return 0
  if (value > high) return 255
  return Math.round(((value - (center - 0.5)) / (w - 1) + 0.5) * 255)
}

/** Stored value range a voxel type can hold; the lookup table covers all of it. */
export function storedRange(voxelType: 'int16' | 'uint8'): [number, number] {
  return voxelType === 'int16' ? [-32768, 32767] : [0, 255]
}

const littleEndianHost = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1

function opaqueGrey(level: number): number {
  // ImageData bytes are R, G, B, A; a Uint32 view sees them in host byte order.
  return littleEndianHost
    ? (0xff000000 | (level << 16) | (level << 8) | level) >>> 0
    : ((level << 24) | (level << 16) | (level << 8) | 0xff) >>> 0
}

export interface GreyLookup {
  /** Subtracted from a stored value to index `table`. */
  offset: number
  /** Packed opaque RGBA pixel per stored value. */
  table: Uint32Array
}

const black = opaqueGrey(0)
const white = opaqueGrey(255)

export function buildGreyLookup(range: [number, number], window: WindowLevel): GreyLookup {
  const [min, max] = range
  const table = new Uint32Array(max - min + 1)
  // Only values inside the window need computing; below it is black and above it white.
  const w = Math.max(1, window.width)
  const first = Math.max(min, Math.floor(window.center - 0.5 - (w - 1) / 2))
  const last = Math.min(max, Math.ceil(window.center - 0.5 + (w - 1) / 2) + 1)
  table.fill(black, 0, Math.max(0, first - min))
  table.fill(white, Math.max(0, last - min + 1))
  for (let value = first; value <= last; value++) table[value - min] = opaqueGrey(greyLevel(value, window))
  return { offset: min, table }
}

/**
 * Writes slice `k` of an x-fastest volume into `pixels` (a Uint32Array view of an ImageData of the
 * slice's size).
 */
export function renderSlice(
  voxels: Int16Array | Uint8Array,
  columns: number,
  rows: number,
  k: number,
  lookup: GreyLookup,
  pixels: Uint32Array
): void {
  const count = columns * rows
  const start = k * count
  const { table, offset } = lookup
  for (let i = 0; i < count; i++) pixels[i] = table[voxels[start + i] - offset]
}
