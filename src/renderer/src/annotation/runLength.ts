/** Run-length pairs [value, count, …] of a slice (x fastest), the wire form of 'masks.save'. */
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

export function slicesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}
