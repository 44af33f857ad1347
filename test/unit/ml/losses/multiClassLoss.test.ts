import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { multiClassLoss } from '../../../../src/main/ml/losses'
import { useCpuBackend } from '../models/cpuBackend'

/** Four pixels, three classes (background, ground-glass, consolidation). */
const logits = [
  [2, 0, -1],
  [0.5, 1.5, 0],
  [-1, 0, 3],
  [0, 0, 0]
]
const labels = [0, 1, 2, 1]

function softmax(row: number[]): number[] {
  const m = Math.max(...row)
  const e = row.map((v) => Math.exp(v - m))
  const s = e.reduce((a, b) => a + b, 0)
  return e.map((v) => v / s)
}

describe('multi-class loss', () => {
  beforeAll(useCpuBackend)
  const x = (): tf.Tensor4D => tf.tensor4d(logits.flat(), [1, 2, 2, 3])
  const target = (): tf.Tensor4D => tf.oneHot(tf.tensor1d(labels, 'int32'), 3).reshape([1, 2, 2, 3]) as tf.Tensor4D

  it('cross-entropy and foreground soft Dice equal a direct computation', () => {
    const p = logits.map(softmax)
    const ce = labels.reduce((s, c, i) => s - Math.log(p[i][c]), 0) / 4
    const dice =
      [1, 2]
        .map((c) => {
          let inter = 0
          let sp = 0
          let sg = 0
          labels.forEach((l, i) => {
            const g = l === c ? 1 : 0
            inter += p[i][c] * g
            sp += p[i][c]
            sg += g
          })
          return 1 - (2 * inter + 1) / (sp + sg + 1)
        })
        .reduce((a, b) => a + b, 0) / 2
    const loss = multiClassLoss(x(), target())
    expect(loss.crossEntropy.arraySync()).toBeCloseTo(ce, 5)
    expect(loss.dice.arraySync()).toBeCloseTo(dice, 5)
    expect(loss.total.arraySync()).toBeCloseTo(ce + dice, 5)
  })

  it('class weights divide by the weights of the true classes (CrossEntropyLoss(weight))', () => {
    const w = [0.2, 1, 3]
    const p = logits.map(softmax)
    const num = labels.reduce((s, c, i) => s - w[c] * Math.log(p[i][c]), 0)
    const den = labels.reduce((s, c) => s + w[c], 0)
    const loss = multiClassLoss(x(), target(), { classWeights: w, diceWeight: 0 })
    expect(loss.crossEntropy.arraySync()).toBeCloseTo(num / den, 5)
    expect(loss.total.arraySync()).toBeCloseTo(num / den, 5)
  })

  it('has finite gradients', () => {
    const g = tf.grad((l) => multiClassLoss(l as tf.Tensor4D, target(), { classWeights: [1, 2, 4] }).total)(x())
    expect(tf.all(tf.isFinite(g)).arraySync()).toBe(1)
    expect(tf.sum(tf.abs(g)).arraySync()).toBeGreaterThan(0)
  })
})
