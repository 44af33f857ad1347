/**
 * Display windowing: HU (or any unit) → 8-bit grey through a linear ramp of the given width
 * around the centre, clamped at both ends. Presets are the usual chest CT windows; the renderer
 * has its own copy for on-screen display, this one serves exports and model input.
 */
import type { VoxelArray } from './volume'

export interface WindowPreset {
  center: number
  width: number
}

export const LUNG_WINDOW: Readonly<WindowPreset> = Object.freeze({ center: -600, width: 1500 })
export const MEDIASTINUM_WINDOW: Readonly<WindowPreset> = Object.freeze({ center: 40, width: 400 })

export const WINDOW_PRESETS: Readonly<Record<'lung' | 'mediastinum', Readonly<WindowPreset>>> = Object.freeze({
  lung: LUNG_WINDOW,
  mediastinum: MEDIASTINUM_WINDOW
})

/** One window's 8-bit grey level of a value: [center − width/2, center + width/2] → 0…255, rounded, clamped. */
function windowMap(center: number, width: number): (x: number) => number {
  if (!(width > 0)) throw new Error(`window width must be positive, got ${width}`)
  const low = center - width / 2
  return (x) => {
    // Multiply before dividing: 255/400 has no exact binary form and would turn 127.5 into 127.49….
    const y = ((x - low) * 255) / width
    return y <= 0 ? 0 : y >= 255 ? 255 : Math.round(y)
  }
}

/** The last few windows' tables over every signed 16-bit value (index value + 32768): 64 kB each. */
const int16Tables = new Map<string, Uint8Array>()

/**
 * The grey level of every Int16 value under one window, as a table indexed by value + 32768
 * (a DICOM series is read into an Int16Array of HU): windowing a slice is then a table walk.
 */
export function int16WindowTable(center: number, width: number): Uint8Array {
  const key = `${center}/${width}`
  let table = int16Tables.get(key)
  if (!table) {
    const map = windowMap(center, width)
    table = new Uint8Array(65536)
    for (let i = 0; i < 65536; i++) table[i] = map(i - 32768)
    if (int16Tables.size >= 8) int16Tables.delete(int16Tables.keys().next().value!)
    int16Tables.set(key, table)
  }
  return table
}

/**
 * Maps [center − width/2, center + width/2] linearly onto 0…255 (rounded), clamping outside.
 * A lookup table is used for 8- and 16-bit integer data, which makes a 35-million-voxel CT a table walk.
 */
export function applyWindow(data: VoxelArray | ArrayLike<number>, center: number, width: number): Uint8Array {
  const map = windowMap(center, width)
  const out = new Uint8Array(data.length)
  if (data instanceof Int16Array) {
    const table = int16WindowTable(center, width)
    for (let i = 0; i < data.length; i++) out[i] = table[data[i] + 32768]
    return out
  }
  if (data instanceof Uint16Array || data instanceof Uint8Array) {
    const table = new Uint8Array(data instanceof Uint8Array ? 256 : 65536)
    for (let i = 0; i < table.length; i++) table[i] = map(i)
    for (let i = 0; i < data.length; i++) out[i] = table[data[i]]
    return out
  }
  for (let i = 0; i < data.length; i++) out[i] = map(data[i])
  return out
}
