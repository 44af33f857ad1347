/**
 * One undoable edit of one slice: the voxels it changed with their values before and after.
 * A stroke over a 512×512 slice usually touches a few thousand voxels, so the history stays small.
 */
export interface SlicePatch {
  k: number
  indices: Uint32Array
  before: Uint8Array
  after: Uint8Array
  /** What the user did, for the undo button's tooltip. */
  action: string
}

export function diffSlice(k: number, before: Uint8Array, after: Uint8Array, action: string): SlicePatch | null {
  let changed = 0
  for (let i = 0; i < before.length; i++) if (before[i] !== after[i]) changed++
  if (changed === 0) return null
  const indices = new Uint32Array(changed)
  const was = new Uint8Array(changed)
  const now = new Uint8Array(changed)
  let n = 0
  for (let i = 0; i < before.length; i++) {
    if (before[i] !== after[i]) {
      indices[n] = i
      was[n] = before[i]
      now[n] = after[i]
      n++
    }
  }
  return { k, indices, before: was, after: now, action }
}

export function applyPatch(slice: Uint8Array, patch: SlicePatch, direction: 'undo' | 'redo'): void {
  const values = direction === 'undo' ? patch.before : patch.after
  for (let n = 0; n < patch.indices.length; n++) slice[patch.indices[n]] = values[n]
}

export function slicesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}
