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

/**
 * Maps [center − width/2, center + width/2] linearly onto 0…255 (rounded), clamping outside.
 * A lookup table is used for 16-bit integer data, which makes a 35-million-voxel CT a table walk.
 */
export function applyWindow(data: VoxelArray | ArrayLike<number>, center: number, width: number): Uint8Array {
  if (!(width > 0)) throw new Error(`window width must be positive, got ${width}`)
  const low = center - width / 2
  const map = (x: number): number => {
    // Multiply before dividing: 255/400 has no exact binary form and would turn 127.5 into 127.49….
    const y = ((x - low) * 255) / width
    return y <= 0 ? 0 : y >= 255 ? 255 : Math.round(y)
  }
  const out = new Uint8Array(data.length)
  if (data instanceof Int16Array || data instanceof Uint16Array || data instanceof Uint8Array) {
    const offset = data instanceof Int16Array ? 32768 : 0
    const table = new Uint8Array(data instanceof Uint8Array ? 256 : 65536)
    for (let i = 0; i < table.length; i++) table[i] = map(i - offset)
    for (let i = 0; i < data.length; i++) out[i] = table[data[i] + offset]
    return out
  }
  for (let i = 0; i < data.length; i++) out[i] = map(data[i])
  return out
}
