/**
 * The analysis' lung gate: infection counts only within `marginMm` (in-plane) of the lung mask. The
 * margin keeps subpleural lesions that the threshold-based lung mask may have cut off; nothing farther
 * out (bowel under the diaphragm, the chest wall) is read as lung infection. One slice at a time: a
 * volume's inference gates every slice through it, `pulmo evaluate --lungs` a 2D slice's map.
 */
import { createDiskDilationScratch, dilateWithDisk2d, type DiskDilationScratch } from '../morphology/diskDilation2d'

/**
 * Writes the gate of one slice into `out` (1 within `marginMm` of a non-zero `lung` pixel, else 0) and
 * says whether the slice holds any lung. `binary` is scratch of the slice's size.
 */
export function lungGateSlice(
  lung: ArrayLike<number>,
  width: number,
  height: number,
  marginMm: number,
  [sx, sy]: readonly [number, number],
  out: Uint8Array,
  binary: Uint8Array = new Uint8Array(width * height),
  scratch: DiskDilationScratch = createDiskDilationScratch(width, height)
): boolean {
  const n = width * height
  if (lung.length !== n || out.length !== n) throw new Error(`the lung mask is not ${width}×${height}`)
  let any = false
  for (let p = 0; p < n; p++) {
    binary[p] = lung[p] !== 0 ? 1 : 0
    if (binary[p] === 1) any = true
  }
  if (!any) out.fill(0)
  else if (marginMm > 0) dilateWithDisk2d(binary, width, height, 1, marginMm, sx, sy, false, out, scratch)
  else out.set(binary)
  return any
}

/** A probability map (any array of numbers: a read image's bytes, a network's floats) with everything outside the gate set to 0, as a new Float32Array. */
export function gateProbabilities(map: ArrayLike<number>, gate: Uint8Array): Float32Array {
  if (map.length !== gate.length) throw new Error(`a map of ${map.length} pixels against a lung gate of ${gate.length}`)
  const out = new Float32Array(map.length)
  for (let p = 0; p < map.length; p++) if (gate[p] !== 0) out[p] = map[p]
  return out
}
