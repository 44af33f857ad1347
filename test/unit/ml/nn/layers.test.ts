import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { applyPendingUpdates, basicConv2d, convolution, type ForwardContext } from '../../../../src/main/ml/nn/layers'
import { ParameterStore } from '../../../../src/main/ml/nn/parameters'
import { useCpuBackend } from '../models/cpuBackend'

/** An inference context on a fresh store; tests set kernels by hand once the block has created them. */
function context(): ForwardContext {
  return { params: new ParameterStore(1), training: false, pendingUpdates: [] }
}

describe('the convolution block (conv → batch norm → activation)', () => {
  beforeAll(useCpuBackend)

  it('names its parameters as given: a bias only without a norm, the norm’s four under its own name', () => {
    const ctx = context()
    const x = tf.ones([1, 4, 4, 2]) as tf.Tensor4D
    convolution(ctx, x, { ...basicConv2d('rfb.branch0.0'), filters: 3, kernel: 1 })
    convolution(ctx, x, { conv: 'outc.conv', filters: 2, kernel: 1 })
    expect([...ctx.params.variables.keys()].sort()).toEqual([
      'outc.conv/bias',
      'outc.conv/kernel',
      'rfb.branch0.0.bn/beta',
      'rfb.branch0.0.bn/gamma',
      'rfb.branch0.0.bn/moving_mean',
      'rfb.branch0.0.bn/moving_variance',
      'rfb.branch0.0.conv/kernel'
    ])
    ctx.params.dispose()
  })

  it('pads symmetrically as PyTorch by default (a 3×3 sum of ones: 4 at corners, 9 inside) and counts its multiply-accumulates', () => {
    const ctx = { ...context(), macs: { total: 0 } }
    const x = tf.ones([1, 4, 4, 1]) as tf.Tensor4D
    convolution(ctx, x, { conv: 'c', filters: 1, kernel: 3, bias: false })
    ctx.params.assign({ 'c/kernel': tf.ones([3, 3, 1, 1]) })
    ctx.macs.total = 0
    const y = convolution(ctx, x, { conv: 'c', filters: 1, kernel: 3, bias: false })
    expect(Array.from(y.dataSync())).toEqual([4, 6, 6, 4, 6, 9, 9, 6, 6, 9, 9, 6, 4, 6, 6, 4])
    // 16 outputs × 9 taps × 1 input × 1 filter
    expect(ctx.macs.total).toBe(144)
    // stride 2: symmetric padding centres the windows on rows/columns 0 and 2, tfjs 'same' on 1 and 3
    const strided = convolution(ctx, x, { conv: 'c', filters: 1, kernel: 3, stride: 2, bias: false })
    expect(Array.from(strided.dataSync())).toEqual([4, 6, 6, 9])
    const same = convolution(ctx, x, { conv: 'c', filters: 1, kernel: 3, stride: 2, bias: false, padding: 'same' })
    expect(Array.from(same.dataSync())).toEqual([9, 6, 6, 4])
    ctx.params.dispose()
  })

  it('normalises with batch statistics in training, queues the moving averages, and applies the ReLU last', () => {
    const ctx = context()
    const x = tf.tensor4d([0, 1, 2, 3], [1, 2, 2, 1])
    convolution(ctx, x, { conv: 'c', norm: 'bn', filters: 1, kernel: 1, act: 'relu' })
    ctx.training = true
    ctx.params.assign({ 'c/kernel': tf.ones([1, 1, 1, 1]) })
    const y = convolution(ctx, x, { conv: 'c', norm: 'bn', filters: 1, kernel: 1, act: 'relu' })
    // mean 1.5, variance 1.25: (v − 1.5)/√1.25 → the two below the mean clip to 0
    const values = Array.from(y.dataSync())
    expect(values[0]).toBe(0)
    expect(values[1]).toBe(0)
    expect(values[2]).toBeCloseTo(0.5 / Math.sqrt(1.25 + 1e-5), 5)
    expect(values[3]).toBeCloseTo(1.5 / Math.sqrt(1.25 + 1e-5), 5)
    applyPendingUpdates(ctx)
    // momentum 0.9: the moving mean moves a tenth of the way from 0 to 1.5
    expect(ctx.params.variables.get('bn/moving_mean')!.dataSync()[0]).toBeCloseTo(0.15, 6)
    ctx.params.dispose()
  })

  it('at inference folds the batch norm into the convolution, and refolds once a parameter changes', () => {
    const ctx = context()
    const x = tf.tensor4d([0, 1, 2, 3, -1, -2, 4, 0.5], [1, 2, 2, 2])
    const block = { conv: 'c', norm: 'bn', filters: 2, kernel: 1, act: 'relu' as const, bias: true }
    convolution(ctx, x, block)
    ctx.params.assign({
      'c/kernel': tf.tensor4d([1, -1, 2, 0.5], [1, 1, 2, 2]),
      'c/bias': tf.tensor1d([0.5, -0.25]),
      'bn/gamma': tf.tensor1d([2, 0.5]),
      'bn/beta': tf.tensor1d([-1, 1]),
      'bn/moving_mean': tf.tensor1d([1, -2]),
      'bn/moving_variance': tf.tensor1d([4, 0.25])
    })
    /** the block by hand: conv, bias, BN with the moving statistics, ReLU */
    const expected = (gamma0: number): number[] => {
      const out: number[] = []
      for (let p = 0; p < 4; p++) {
        const [a, b] = [x.dataSync()[2 * p], x.dataSync()[2 * p + 1]]
        const conv = [a * 1 + b * 2 + 0.5, a * -1 + b * 0.5 - 0.25]
        out.push(
          Math.max(0, ((conv[0] - 1) * gamma0) / Math.sqrt(4 + 1e-5) - 1),
          Math.max(0, ((conv[1] + 2) * 0.5) / Math.sqrt(0.25 + 1e-5) + 1)
        )
      }
      return out
    }
    const first = Array.from(convolution(ctx, x, block).dataSync())
    first.forEach((v, i) => expect(v).toBeCloseTo(expected(2)[i], 5))
    // the optimiser assigns new values: the folded filter must follow, not stay cached
    ctx.params.variables.get('bn/gamma')!.assign(tf.tensor1d([-3, 0.5]))
    const second = Array.from(convolution(ctx, x, block).dataSync())
    second.forEach((v, i) => expect(v).toBeCloseTo(expected(-3)[i], 5))
    expect(second).not.toEqual(first)
    ctx.params.dispose()
  })
})
