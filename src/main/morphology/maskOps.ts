/**
 * Masking a whole volume in place, four voxels at a time where both arrays allow: a CT's masks are
 * mostly runs of zeros (or of non-zeros), and a word of four tells them at once. Voxels are compared
 * with 0 only, so any label values work; the result is the voxel-by-voxel loop's exactly.
 */

/** Whether one of the word's four bytes is 0 (the classic bit trick: exact for every word). */
const hasZeroByte = (w: number): boolean => ((w - 0x01010101) & ~w & 0x80808080) !== 0

function words(a: Uint8Array, b: Uint8Array): [Uint32Array, Uint32Array] | undefined {
  if (a.byteOffset % 4 !== 0 || b.byteOffset % 4 !== 0) return undefined
  const n = a.length >> 2
  return [new Uint32Array(a.buffer, a.byteOffset, n), new Uint32Array(b.buffer, b.byteOffset, n)]
}

/** target[v] = 0 wherever mask[v] is 0 (target kept only inside the mask). */
export function keepInside(target: Uint8Array, mask: Uint8Array): void {
  applyMask(target, mask, true)
}

/** target[v] = 0 wherever mask[v] is not 0 (the mask cut out of target). */
export function clearInside(target: Uint8Array, mask: Uint8Array): void {
  applyMask(target, mask, false)
}

/** Clears target where the mask is 0 (`keep` inside) or where it is not (`keep` false). */
function applyMask(target: Uint8Array, mask: Uint8Array, keep: boolean): void {
  if (mask.length !== target.length) throw new Error(`${keep ? 'keepInside' : 'clearInside'}: the mask does not match the volume`)
  const w = words(target, mask)
  let from = 0
  if (w !== undefined) {
    const [t, m] = w
    for (let i = 0; i < m.length; i++) {
      const word = m[i]
      const none = word === 0
      const all = !none && !hasZeroByte(word)
      if (keep ? none : all) t[i] = 0
      else if (!(keep ? all : none)) for (let v = i << 2; v < (i << 2) + 4; v++) if ((mask[v] === 0) === keep) target[v] = 0
    }
    from = m.length << 2
  }
  for (let v = from; v < target.length; v++) if ((mask[v] === 0) === keep) target[v] = 0
}
