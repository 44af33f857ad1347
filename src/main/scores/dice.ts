/**
 * Dice similarity coefficient 2|A∩B| / (|A| + |B|) of two binary masks (nonzero = foreground).
 * Two empty masks agree perfectly: 1, so an infection-free case segmented as infection-free is not
 * scored as a failure (and 0/0 never reaches a report).
 */
export function diceCoefficient(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`masks differ in size: ${a.length} and ${b.length}`)
  let countA = 0
  let countB = 0
  let overlap = 0
  for (let v = 0; v < a.length; v++) {
    const inA = a[v] !== 0
    const inB = b[v] !== 0
    if (inA) countA++
    if (inB) countB++
    if (inA && inB) overlap++
  }
  return countA + countB === 0 ? 1 : (2 * overlap) / (countA + countB)
}
