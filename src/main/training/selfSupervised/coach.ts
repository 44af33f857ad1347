import * as tf from '@tensorflow/tfjs'
import { applyPendingUpdates, convolution, type ConvolutionOptions, type ForwardContext } from '../../ml/nn/layers'
import { ParameterStore } from '../../ml/nn/parameters'

/** The coach's score map is at 1/16 of the input: one erasing decision per 16×16 cell. */
export const COACH_CELL = 16

/**
 * The coach (Singh et al. 2018): a small fully convolutional network that looks at a slice and
 * scores every 16×16 cell. High scores are kept; the lowest-scoring cells are erased. Trained to
 * maximise the inpainter's error, it learns which regions are hardest to fill in.
 */
export class CoachNetwork {
  readonly params: ParameterStore
  constructor(seed: number) {
    this.params = new ParameterStore(seed)
    tf.tidy(() => void this.scores(tf.zeros([1, COACH_CELL * 2, COACH_CELL * 2, 1]), false))
  }

  /** B(x): [N, H/16, W/16, 1] scores of a standardised grey batch. */
  scores(x: tf.Tensor4D, training: boolean, pendingUpdates?: ForwardContext['pendingUpdates']): tf.Tensor4D {
    const ctx: ForwardContext = { params: this.params, training, pendingUpdates }
    let y = x
    // tfjs 'same' padding throughout, as the coach was first written (checkpoints keep their meaning).
    const block = (name: string, filters: number, stride: number): ConvolutionOptions =>
      ({ conv: `${name}/conv`, norm: `${name}/bn`, act: 'relu', filters, kernel: 3, stride, padding: 'same' })
    for (const [i, filters] of [16, 32, 64, 64].entries()) y = convolution(ctx, y, block(`coach.down${i + 1}`, filters, 2))
    y = convolution(ctx, y, block('coach.context', 64, 1))
    return convolution(ctx, y, { conv: 'coach.score', filters: 1, kernel: 1, padding: 'same' })
  }

  applyUpdates(pendingUpdates: ForwardContext['pendingUpdates']): void {
    applyPendingUpdates({ params: this.params, training: true, pendingUpdates })
  }

  dispose(): void {
    this.params.dispose()
  }
}

/**
 * The top-k constraint and the sigmoid: B̂ = B − t, with t halfway between the k-th and (k+1)-th
 * largest score of each image (k = the number of kept cells), and M = σ(α·B̂). With a large α, M
 * is a hard mask keeping exactly k cells; with α = 1 it is soft and the coach's gradient flows
 * through it. The threshold is held constant in the gradient (it only selects the cut).
 *
 * @param scores [N, h, w, 1]
 * @param keepFraction share of cells kept (the method: 0.75)
 * @returns [N, h, w, 1] keep mask in (0, 1)
 */
export function topKMask(scores: tf.Tensor4D, keepFraction: number, alpha: number): tf.Tensor4D {
  const [n, h, w] = scores.shape
  const cells = h * w
  const keep = Math.min(cells - 1, Math.max(1, Math.round(keepFraction * cells)))
  // The threshold is read out and fed back as a constant, so no gradient flows through the sort.
  const values = scores.dataSync()
  const thresholds = new Float32Array(n)
  for (let i = 0; i < n; i++) {
    const sorted = Array.from(values.subarray(i * cells, (i + 1) * cells)).sort((a, b) => b - a)
    thresholds[i] = (sorted[keep - 1] + sorted[keep]) / 2
  }
  return tf.tidy(() => tf.sigmoid(tf.mul(tf.sub(scores, tf.tensor4d(thresholds, [n, 1, 1, 1])), alpha)) as tf.Tensor4D)
}

/**
 * The hard mask, the limit α → ∞ of topKMask: exactly the k highest-scoring cells of each image
 * are kept (1) and the rest erased (0). Equal scores (uniform black background gives many) are
 * ranked by cell order, so the erased share is exact whatever the scores.
 */
export function hardTopKMask(scores: tf.Tensor4D, keepFraction: number): tf.Tensor4D {
  const [n, h, w] = scores.shape
  const cells = h * w
  const keep = Math.min(cells - 1, Math.max(1, Math.round(keepFraction * cells)))
  const values = scores.dataSync()
  const mask = new Float32Array(n * cells)
  for (let i = 0; i < n; i++) {
    const order = Array.from({ length: cells }, (_, j) => j).sort((a, b) => values[i * cells + b] - values[i * cells + a] || a - b)
    for (let r = 0; r < keep; r++) mask[i * cells + order[r]] = 1
  }
  return tf.tensor4d(mask, [n, h, w, 1])
}

/** Random erasing masks with the same top-k rule: uniform random scores per cell. */
export function randomMask(n: number, cellsH: number, cellsW: number, keepFraction: number, rand: () => number): tf.Tensor4D {
  const scores = new Float32Array(n * cellsH * cellsW)
  for (let i = 0; i < scores.length; i++) scores[i] = rand()
  return tf.tidy(() => hardTopKMask(tf.tensor4d(scores, [n, cellsH, cellsW, 1]), keepFraction))
}

/** A cell mask [N, h, w, 1] at pixel resolution [N, h·16, w·16, 1] (each cell a 16×16 block). */
export function cellsToPixels(mask: tf.Tensor4D, size: number): tf.Tensor4D {
  return tf.image.resizeNearestNeighbor(mask, [size, size], false, false)
}

/** The share of pixels a keep mask erases (1 − mean), per image. */
export function erasedFraction(keepMask: tf.Tensor4D): number[] {
  return tf.tidy(() => Array.from(tf.sub(1, tf.mean(keepMask, [1, 2, 3])).dataSync()))
}
