import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { applyPendingUpdates, type ForwardContext } from '../../../../src/main/ml/nn/layers'
import { multiClassLoss } from '../../../../src/main/ml/losses'
import {
  createNetwork,
  defaultMultiClassConfig,
  measureComplexity,
  multiClassInput
} from '../../../../src/main/ml/models/infnet'
import { useCpuBackend } from './cpuBackend'

/**
 * Two slices with a lesion each: its left half faint (ground-glass, class 1), its right half dense
 * (consolidation, class 2); the prior is the whole lesion, as single-class Inf-Net would give it.
 */
function syntheticLesions(size: number): { input: tf.Tensor4D; target: tf.Tensor4D } {
  const images: number[] = []
  const priors: number[] = []
  const labels: number[] = []
  for (const [cx, cy] of [
    [0.4, 0.5],
    [0.6, 0.45]
  ]) {
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const inside = (x / size - cx) ** 2 + (y / size - cy) ** 2 < 0.25 ** 2
        const label = inside ? (x / size < cx ? 1 : 2) : 0
        images.push([0.1, 0.45, 0.9][label] + 0.03 * Math.sin(x + 2 * y))
        priors.push(inside ? 1 : 0)
        labels.push(label)
      }
    }
  }
  const image = tf.tensor4d(images, [2, size, size, 1])
  const prior = tf.tensor4d(priors, [2, size, size, 1])
  const target = tf.oneHot(tf.tensor1d(labels, 'int32'), 3).reshape([2, size, size, 3]) as tf.Tensor4D
  return { input: multiClassInput(image, prior), target }
}

describe('multi-class Inf-Net (U-Net with the infection prior)', () => {
  beforeAll(useCpuBackend)

  it('maps [N, H, W, image + prior] to three class logits at the input size', () => {
    const net = createNetwork(defaultMultiClassConfig())
    try {
      const shape = tf.tidy(() => net.forward(tf.zeros([2, 64, 64, 2]), false).shape)
      expect(shape).toEqual([2, 64, 64, 3])
      const cost = measureComplexity(net)
      expect(cost.parameters).toBe(1_080_819) // baseFilters 16; the reference's 64 is 16× that
      expect(cost.macs / 1e9).toBeCloseTo(4.752, 3)
      expect(() => net.forward(tf.zeros([1, 64, 64, 1]), false)).toThrow(/2 input channels/)
    } finally {
      net.dispose()
    }
  })

  it('trains: the loss falls over a few Adam steps (cpu, 32×32, batch 2, baseFilters 8)', () => {
    const net = createNetwork(defaultMultiClassConfig({ baseFilters: 8, inputSize: 32 }))
    const { input, target } = syntheticLesions(32)
    const optimizer = tf.train.adam(1e-2)
    const losses: number[] = []
    try {
      for (let step = 0; step < 4; step++) {
        const ctx: ForwardContext = { params: net.params, training: true, pendingUpdates: [] }
        const cost = optimizer.minimize(() => multiClassLoss(net.forward(input, true, ctx), target).total, true, net.params.trainable())
        applyPendingUpdates(ctx)
        losses.push(cost?.arraySync() ?? NaN)
        cost?.dispose()
      }
      console.info('multi-class losses (cpu):', losses.map((l) => l.toFixed(4)).join(' → '))
      expect(losses.every(Number.isFinite)).toBe(true)
      expect(losses[3]).toBeLessThan(0.8 * losses[0])
    } finally {
      optimizer.dispose()
      net.dispose()
      tf.dispose([input, target])
    }
  }, 240_000)
})
