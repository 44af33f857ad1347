/**
 * On-screen window/level (the formula itself is in src/shared/windowing.ts). Rendering goes through a lookup table indexed by the stored value, so a 512×512 slice costs one
 * table read per pixel however often the window changes.
 */

import { greyLevel, type WindowLevel } from '../../../shared/windowing'

export { greyLevel, windowPreset, windowPresets, type WindowLevel, type WindowPreset } from '../../../shared/windowing'

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

/** Writes any plane (axial, coronal, sagittal) of an x-fastest volume into `pixels`. */
export function renderPlane(
  voxels: Int16Array | Uint8Array,
  plane: { width: number; height: number; base: number; du: number; dv: number },
  lookup: GreyLookup,
  pixels: Uint32Array
): void {
  const { width, height, base, du, dv } = plane
  const { table, offset } = lookup
  if (du === 1 && dv === width) {
    renderSlice(voxels, width, height, base / (width * height), lookup, pixels)
    return
  }
  for (let v = 0; v < height; v++) {
    const row = base + v * dv
    const out = v * width
    for (let u = 0; u < width; u++) pixels[out + u] = table[voxels[row + u * du] - offset]
  }
}
