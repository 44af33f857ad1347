import type { SliceEdit } from '../../src/shared/api'

/**
 * The edit that makes mask version `version` from its parent in the crash and concurrency tests:
 * one slice, chosen by the version, whose first voxels take a label and a length that also depend
 * on it. Replaying the edits of versions 1…v over an empty mask gives the exact labels of version v.
 */
export function maskEdit(version: number, dimensions: readonly [number, number, number], salt = 0): SliceEdit {
  const [nx, ny, nz] = dimensions
  const sliceSize = nx * ny
  const k = (version * 7 + salt * 3) % nz
  const label = 1 + ((version + salt) % 2)
  const filled = 1 + ((version * 7919 + salt * 104_729) % (sliceSize - 1))
  return { k, runs: [label, filled, 0, sliceSize - filled] }
}

/** Applies a slice edit (value/count runs) to a label volume in place. */
export function applyEdit(labels: Uint8Array, edit: SliceEdit, sliceSize: number): void {
  let at = edit.k * sliceSize
  for (let i = 0; i < edit.runs.length; i += 2) {
    labels.fill(edit.runs[i], at, at + edit.runs[i + 1])
    at += edit.runs[i + 1]
  }
}
