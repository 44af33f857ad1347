import { seededRandom } from '../ml/nn/parameters'

/** Fisher–Yates with a seeded generator: the same seed gives the same order on every machine. */
export function shuffled<T>(items: readonly T[], seed: number): T[] {
  const rand = seededRandom(seed)
  const out = [...items]
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1))
    ;[out[i], out[j]] = [out[j], out[i]]
  }
  return out
}

/**
 * K-fold split of `n` items: a seeded permutation cut into k nearly equal parts; fold i validates,
 * the rest trains. Every item is validated exactly once over the k folds.
 */
export function foldSplit(n: number, k: number, fold: number, seed = 2020): { train: number[]; validation: number[] } {
  if (!Number.isInteger(k) || k < 2 || k > n) throw new Error(`--folds must be between 2 and ${n}, got ${k}`)
  if (!Number.isInteger(fold) || fold < 0 || fold >= k) throw new Error(`--fold must be between 0 and ${k - 1}, got ${fold}`)
  const order = shuffled(
    Array.from({ length: n }, (_, i) => i),
    seed
  )
  const start = Math.floor((fold * n) / k)
  const end = Math.floor(((fold + 1) * n) / k)
  const validation = order.slice(start, end).sort((a, b) => a - b)
  const train = order.filter((i) => !validation.includes(i)).sort((a, b) => a - b)
  return { train, validation }
}

/** A run's split: its fold when `folds` is set, else every item trains and none validates. */
export function runSplit(n: number, c: { folds?: number; fold?: number; seed: number }): { train: number[]; validation: number[] } {
  return c.folds !== undefined ? foldSplit(n, c.folds, c.fold ?? 0, c.seed) : { train: Array.from({ length: n }, (_, i) => i), validation: [] }
}
