import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { initEngine } from '../../../src/main/ml/engine'
import { batchNormRelu } from '../../../src/main/ml/ops/batchNormRelu'
import { channelAffine, channelMean, channelSum } from '../../../src/main/ml/ops/channelOps'
import { maxAbs, relativeMaxDiff, seededTensor, valuesOn } from './backendCompare'

/**
 * The closed-form batch norm + ReLU against tfjs's own moments + batchNorm + relu differentiated
 * automatically, on the cpu backend (reference kernels) and on wasm.
 */

const EPSILON = 1e-3
const SHAPE: [number, number, number, number] = [3, 7, 6, 5]

function inputs(): { x: tf.Tensor4D; gamma: tf.Tensor1D; beta: tf.Tensor1D; r: tf.Tensor4D } {
  // An offset and a scale per channel so the statistics are far from (0, 1).
  const x = tf.add(tf.mul(seededTensor(SHAPE, 1), tf.linspace(0.5, 3, 5)), tf.linspace(-2, 4, 5)) as tf.Tensor4D
  return {
    x,
    gamma: tf.linspace(0.6, 1.8, 5) as tf.Tensor1D,
    beta: tf.linspace(-0.3, 0.5, 5) as tf.Tensor1D,
    r: seededTensor(SHAPE, 2) as tf.Tensor4D
  }
}

const reference = (relu: boolean) => (): tf.Tensor[] => {
  const { x, gamma, beta, r } = inputs()
  const f = (a: tf.Tensor, g: tf.Tensor, b: tf.Tensor): tf.Tensor => {
    const { mean, variance } = tf.moments(a, [0, 1, 2])
    const y = tf.batchNorm(a as tf.Tensor4D, mean, variance, b as tf.Tensor1D, g as tf.Tensor1D, EPSILON)
    return relu ? tf.relu(y) : y
  }
  const { mean, variance } = tf.moments(x, [0, 1, 2])
  const y = f(x, gamma, beta)
  const grads = tf.grads((a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(f(a, g, b), r)))([x, gamma, beta])
  return [y, mean, variance, ...grads]
}

const closedForm = (relu: boolean) => (): tf.Tensor[] => {
  const { x, gamma, beta, r } = inputs()
  const { y, mean, variance } = batchNormRelu(x, gamma, beta, EPSILON, relu)
  const grads = tf.grads((a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) =>
    tf.sum(tf.mul(batchNormRelu(a as tf.Tensor4D, g as tf.Tensor1D, b as tf.Tensor1D, EPSILON, relu).y, r))
  )([x, gamma, beta])
  return [y, mean, variance, ...grads]
}

beforeAll(async () => {
  await initEngine({ backend: 'wasm', log: () => undefined })
})

describe('batchNormRelu', () => {
  for (const [backend, relu] of [
    ['cpu', true],
    ['wasm', true],
    ['wasm', false]
  ] as const) {
    it(`matches tfjs's automatic gradient on ${backend}${relu ? '' : ' without ReLU'} (y, mean, variance, dx, dγ, dβ)`, async () => {
      const expected = await valuesOn('cpu', reference(relu))
      const actual = await valuesOn(backend, closedForm(relu))
      expect(actual).toHaveLength(expected.length)
      expected.forEach((e, i) => {
        expect(maxAbs(e)).toBeGreaterThan(1e-3)
        expect(relativeMaxDiff(actual[i], e)).toBeLessThan(1e-4)
      })
    })
  }

  it('leaves no tensors behind', async () => {
    await tf.setBackend('wasm')
    const { x, gamma, beta, r } = inputs()
    const before = tf.memory().numTensors
    const grads = tf.grads((a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) =>
      tf.sum(tf.mul(batchNormRelu(a as tf.Tensor4D, g as tf.Tensor1D, b as tf.Tensor1D, EPSILON).y, r))
    )([x, gamma, beta])
    tf.dispose(grads)
    expect(tf.memory().numTensors).toBe(before)
  })
})

describe('channel ops', () => {
  it('sum, mean and affine per channel on a hand-made tensor', async () => {
    await tf.setBackend('wasm')
    // Two images 1×2, two channels: channel 0 holds 1..4, channel 1 holds 10, 20, 30, 40.
    const t = tf.tensor4d([1, 10, 2, 20, 3, 30, 4, 40], [2, 1, 2, 2])
    expect(Array.from(await channelSum(t).data())).toEqual([10, 100])
    expect(Array.from(await channelMean(t).data())).toEqual([2.5, 25])
    const affine = channelAffine(t, tf.tensor1d([2, -1]), tf.tensor1d([1, 5]), false)
    expect(Array.from(await affine.data())).toEqual([3, -5, 5, -15, 7, -25, 9, -35])
    const withRelu = channelAffine(t, tf.tensor1d([2, -1]), tf.tensor1d([1, 5]), true)
    expect(Array.from(await withRelu.data())).toEqual([3, 0, 5, 0, 7, 0, 9, 0])
  })

  it('sums a 4×256×256×16 tensor to float32 accuracy', async () => {
    await tf.setBackend('wasm')
    const t = tf.randomUniform([4, 256, 256, 16], -1, 3, 'float32', 5) as tf.Tensor4D
    const ours = (await channelSum(t).data()) as Float32Array
    const values = await t.data()
    const exact = new Float64Array(16)
    values.forEach((v, i) => (exact[i % 16] += v))
    // 262 144 float32 terms per channel: a few 1e-6 of relative rounding is expected (tf.sum's
    // own error on this tensor is of the same order).
    expect(relativeMaxDiff(ours, Float32Array.from(exact))).toBeLessThan(2e-5)
  })
})
