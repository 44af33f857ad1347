/**
 * The run-length codec of mask slices, the wire form of 'masks.save': pairs [value, count, …] with x
 * running fastest. The renderer encodes the slices it edited; the service decodes and checks them.
 */
import { ApiError } from './api'

/** The label values a mask slice may hold: 0 background, 1 ground-glass, 2 consolidation. */
const HIGHEST_LABEL = 2

export function encodeRuns(slice: Uint8Array): number[] {
  const runs: number[] = []
  if (slice.length === 0) return runs
  let value = slice[0]
  let count = 0
  for (let i = 0; i < slice.length; i++) {
    if (slice[i] === value) {
      count++
    } else {
      runs.push(value, count)
      value = slice[i]
      count = 1
    }
  }
  runs.push(value, count)
  return runs
}

/** Decodes run-length pairs into `out` (slice k, for the messages), checking they cover it exactly. */
export function decodeRuns(runs: readonly number[], out: Uint8Array, k: number): void {
  if (runs.length % 2 !== 0) throw new ApiError('validation', `Slice ${k}: runs must be value/count pairs.`)
  let at = 0
  for (let i = 0; i < runs.length; i += 2) {
    const [value, count] = [runs[i], runs[i + 1]]
    if (value > HIGHEST_LABEL) throw new ApiError('validation', `Slice ${k}: label ${value} is not 0, 1 or 2.`)
    if (at + count > out.length)
      throw new ApiError('validation', `Slice ${k}: runs cover more than the slice's ${out.length} voxels.`)
    out.fill(value, at, at + count)
    at += count
  }
  if (at !== out.length)
    throw new ApiError('validation', `Slice ${k}: runs cover ${at} of the slice's ${out.length} voxels.`)
}
